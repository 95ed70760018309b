//! Geography: 10 countries in 4 regions with 9 currencies, their cities, the
//! geographies (country + city) customers live in and the fulfilment centres.

use rand::seq::SliceRandom;
use rand::Rng;

use super::fx::FX_INR_PER_UNIT;
use super::util::{pick, weighted, Rng8};

/// A country with its region, currency and cities.
pub(crate) struct Country {
    pub name: &'static str,
    pub region: &'static str,
    pub currency: &'static str,
    /// INR per unit of `currency`.
    pub fx: f64,
    pub timezone: &'static str,
    pub cities: [&'static str; 10],
    /// Base shipping cost of a parcel, in US dollars.
    pub ship_base_usd: f64,
    /// Whether UPI payments exist there.
    pub upi: bool,
}

macro_rules! country {
    ($name:literal, $region:literal, $fx:literal, $tz:literal, $base:literal, $upi:literal, [$($city:literal),*]) => {
        Country {
            name: $name,
            region: $region,
            currency: FX_INR_PER_UNIT[$fx].0,
            fx: FX_INR_PER_UNIT[$fx].1,
            timezone: $tz,
            cities: [$($city),*],
            ship_base_usd: $base,
            upi: $upi,
        }
    };
}

/// The 10 countries (indices into the FX table name the currency).
#[rustfmt::skip]
pub(crate) const COUNTRIES: [Country; 10] = [
    country!("United States", "North America", 0, "America/New_York", 6.5, false,
        ["New York", "Los Angeles", "Chicago", "Houston", "Phoenix", "Seattle", "Boston", "Atlanta", "Denver", "Miami"]),
    country!("Canada", "North America", 1, "America/Toronto", 7.0, false,
        ["Toronto", "Montreal", "Vancouver", "Calgary", "Ottawa", "Edmonton", "Winnipeg", "Quebec City", "Halifax", "Victoria"]),
    country!("United Kingdom", "Europe", 2, "Europe/London", 5.0, false,
        ["London", "Manchester", "Birmingham", "Leeds", "Glasgow", "Liverpool", "Bristol", "Edinburgh", "Sheffield", "Cardiff"]),
    country!("Germany", "Europe", 3, "Europe/Berlin", 5.0, false,
        ["Berlin", "Hamburg", "Munich", "Cologne", "Frankfurt", "Stuttgart", "Dusseldorf", "Leipzig", "Dresden", "Hanover"]),
    country!("France", "Europe", 3, "Europe/Paris", 5.5, false,
        ["Paris", "Marseille", "Lyon", "Toulouse", "Nice", "Nantes", "Strasbourg", "Montpellier", "Bordeaux", "Lille"]),
    country!("India", "APAC", 4, "Asia/Kolkata", 1.2, true,
        ["Mumbai", "Delhi", "Bengaluru", "Hyderabad", "Chennai", "Kolkata", "Pune", "Ahmedabad", "Jaipur", "Lucknow"]),
    country!("Singapore", "APAC", 5, "Asia/Singapore", 3.5, false,
        ["Singapore", "Jurong East", "Tampines", "Woodlands", "Punggol", "Bedok", "Ang Mo Kio", "Toa Payoh", "Clementi", "Sengkang"]),
    country!("Australia", "APAC", 6, "Australia/Sydney", 6.0, false,
        ["Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide", "Canberra", "Hobart", "Darwin", "Gold Coast", "Newcastle"]),
    country!("Japan", "APAC", 7, "Asia/Tokyo", 4.5, false,
        ["Tokyo", "Osaka", "Yokohama", "Nagoya", "Sapporo", "Fukuoka", "Kobe", "Kyoto", "Sendai", "Hiroshima"]),
    country!("Brazil", "LATAM", 8, "America/Sao_Paulo", 7.0, false,
        ["Sao Paulo", "Rio de Janeiro", "Brasilia", "Salvador", "Fortaleza", "Belo Horizonte", "Manaus", "Curitiba", "Recife", "Porto Alegre"]),
];

/// A geography: one city of one country.
pub(crate) struct Geo {
    pub id: i64,
    pub country: usize,
    pub city: &'static str,
}

impl Geo {
    pub(crate) fn country(&self) -> &'static Country {
        &COUNTRIES[self.country]
    }
}

/// Distinct (country, city) geographies; the first ten cover ten different countries.
pub(crate) fn build_geos(rng: &mut Rng8, n: usize, id_base: i64) -> Vec<Geo> {
    let mut order: Vec<usize> = (0..COUNTRIES.len()).collect();
    order.shuffle(rng);
    let mut used = [[false; 10]; 10];
    let mut geos = Vec::with_capacity(n);
    for i in 0..n {
        let open = |c: usize, used: &[[bool; 10]; 10]| used[c].iter().any(|u| !u);
        let country = if i < order.len() {
            order[i]
        } else {
            let candidates: Vec<usize> = (0..10).filter(|&c| open(c, &used)).collect();
            if candidates.is_empty() {
                rng.gen_range(0..10)
            } else {
                pick(rng, &candidates)
            }
        };
        let free: Vec<usize> = (0..10).filter(|&k| !used[country][k]).collect();
        let city = if free.is_empty() {
            rng.gen_range(0..10)
        } else {
            pick(rng, &free)
        };
        used[country][city] = true;
        geos.push(Geo {
            id: id_base + i as i64,
            country,
            city: COUNTRIES[country].cities[city],
        });
    }
    geos
}

/// A fulfilment centre.
pub(crate) struct Fc {
    pub id: i64,
    pub name: String,
    pub country: usize,
}

/// The fulfilment centres and where they are.
pub(crate) struct Fcs {
    pub all: Vec<Fc>,
    by_country: Vec<Vec<usize>>,
    by_region: Vec<(&'static str, Vec<usize>)>,
}

impl Fcs {
    /// Spreads `n` centres over the geographies (one per geography before doubling up).
    pub(crate) fn build(rng: &mut Rng8, n: usize, geos: &[Geo], id_base: i64) -> Fcs {
        let mut sites: Vec<usize> = (0..geos.len()).collect();
        sites.shuffle(rng);
        let mut all = Vec::with_capacity(n);
        let mut by_country = vec![Vec::new(); COUNTRIES.len()];
        let mut by_region: Vec<(&'static str, Vec<usize>)> = Vec::new();
        for i in 0..n {
            let geo = match sites.get(i % sites.len().max(1)) {
                Some(&g) => &geos[g],
                None => break,
            };
            let id = id_base + i as i64;
            let code: String = geo
                .city
                .chars()
                .filter(char::is_ascii_alphabetic)
                .take(3)
                .collect();
            let name = format!("FC-{}-{:02}", code.to_ascii_uppercase(), i + 1);
            by_country[geo.country].push(i);
            let region = geo.country().region;
            match by_region.iter_mut().find(|(r, _)| *r == region) {
                Some((_, list)) => list.push(i),
                None => by_region.push((region, vec![i])),
            }
            all.push(Fc {
                id,
                name,
                country: geo.country,
            });
        }
        Fcs {
            all,
            by_country,
            by_region,
        }
    }

    /// The centre that ships to `country`: usually a domestic one, else one in the
    /// region, else any; a few orders overflow to any centre.
    pub(crate) fn pick(&self, rng: &mut Rng8, country: usize) -> Option<&Fc> {
        let region = COUNTRIES[country].region;
        let domestic = &self.by_country[country];
        let regional = self
            .by_region
            .iter()
            .find(|(r, _)| *r == region)
            .map(|(_, l)| l);
        let i = if !domestic.is_empty() && rng.gen_bool(0.92) {
            pick(rng, domestic)
        } else if let Some(list) = regional.filter(|_| rng.gen_bool(0.8)) {
            pick(rng, list)
        } else if self.all.is_empty() {
            return None;
        } else {
            rng.gen_range(0..self.all.len())
        };
        self.all.get(i)
    }
}

/// A carrier with its probability of missing the promised date.
#[derive(Clone, Copy)]
pub(crate) struct Carrier {
    pub name: &'static str,
    pub breach: f64,
}

const DHL: Carrier = Carrier {
    name: "DHL",
    breach: 0.06,
};
const FEDEX: Carrier = Carrier {
    name: "FEDEX",
    breach: 0.08,
};
const UPS: Carrier = Carrier {
    name: "UPS",
    breach: 0.09,
};
const LOCAL: Carrier = Carrier {
    name: "LOCAL_XPRESS",
    breach: 0.14,
};

/// A carrier for a domestic or a cross-border parcel.
pub(crate) fn carrier(rng: &mut Rng8, cross_border: bool) -> Carrier {
    if cross_border {
        weighted(rng, &[(DHL, 0.4), (FEDEX, 0.35), (UPS, 0.25)])
    } else {
        weighted(rng, &[(DHL, 0.2), (FEDEX, 0.25), (UPS, 0.25), (LOCAL, 0.3)])
    }
}
