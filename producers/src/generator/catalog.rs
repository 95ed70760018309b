//! The product catalog: 5 L1 x 17 L2 categories with INR price ranges and brand
//! pools, unique product names, skewed popularity and price drift.

use std::collections::HashSet;

use globalcart_schemas::events::ProductEvent;
use rand::seq::SliceRandom;
use rand::Rng;

use super::util::{from_cumulative, pick, scale, uuid, Rng8, DAY};

/// One L2 category.
pub(crate) struct Category {
    pub l1: &'static str,
    pub l2: &'static str,
    /// List-price range in whole rupees.
    pub lo: i64,
    pub hi: i64,
    pub brands: &'static [&'static str],
    pub nouns: &'static [&'static str],
    pub variants: &'static [&'static str],
    /// Shipping weight proxy per unit, in US dollars of freight.
    pub freight_usd: f64,
    /// How often it sells relative to other categories.
    pub popularity: f64,
}

macro_rules! cat {
    ($l1:literal, $l2:literal, $lo:literal, $hi:literal, $freight:literal, $pop:literal, $brands:expr, $nouns:expr, $variants:expr) => {
        Category {
            l1: $l1,
            l2: $l2,
            lo: $lo,
            hi: $hi,
            brands: &$brands,
            nouns: &$nouns,
            variants: &$variants,
            freight_usd: $freight,
            popularity: $pop,
        }
    };
}

/// The 17 categories.
#[rustfmt::skip]
pub(crate) const CATEGORIES: [Category; 17] = [
    cat!("ELECTRONICS", "MOBILE", 8_999, 89_999, 1.0, 1.0, ["Samsung", "Apple", "Xiaomi", "OnePlus", "Motorola", "Realme"], ["5G Smartphone", "Smartphone"], ["64GB", "128GB", "256GB", "512GB"]),
    cat!("ELECTRONICS", "LAPTOP", 29_999, 179_999, 2.0, 0.5, ["Dell", "HP", "Lenovo", "ASUS", "Acer", "Apple"], ["Laptop", "Thin and Light Laptop", "Gaming Laptop", "2-in-1 Laptop"], ["8GB RAM", "16GB RAM", "32GB RAM"]),
    cat!("ELECTRONICS", "AUDIO", 999, 29_999, 0.6, 1.2, ["Sony", "JBL", "boAt", "Bose", "Sennheiser"], ["Wireless Earbuds", "Over-Ear Headphones", "Bluetooth Speaker", "Soundbar", "Neckband"], ["Black", "White", "Blue", "Grey"]),
    cat!("ELECTRONICS", "TV", 19_999, 149_999, 12.0, 0.45, ["Samsung", "LG", "Sony", "TCL", "Mi"], ["4K Smart TV", "QLED Smart TV", "OLED TV", "Full HD Smart TV"], ["43 inch", "50 inch", "55 inch", "65 inch"]),
    cat!("ELECTRONICS", "ACCESSORIES", 299, 9_999, 0.3, 1.5, ["Anker", "Spigen", "boAt", "Portronics", "Mi"], ["Power Bank", "USB-C Charger", "Phone Case", "USB-C Cable", "Wireless Mouse"], ["Black", "White", "Blue", "Green"]),
    cat!("APPLIANCES", "KITCHEN", 1_499, 49_999, 3.0, 0.9, ["Philips", "Prestige", "Bajaj", "Morphy Richards", "Panasonic"], ["Mixer Grinder", "Air Fryer", "Microwave Oven", "Induction Cooktop", "Electric Kettle"], ["750W", "1000W", "1200W", "1500W"]),
    cat!("APPLIANCES", "COOLING", 24_999, 89_999, 18.0, 0.4, ["Voltas", "Daikin", "LG", "Blue Star", "Carrier", "Hitachi"], ["Split AC", "Window AC", "Inverter Split AC", "Tower Air Cooler"], ["1 Ton", "1.5 Ton", "2 Ton"]),
    cat!("APPLIANCES", "LAUNDRY", 18_999, 69_999, 20.0, 0.4, ["LG", "Samsung", "Whirlpool", "IFB", "Bosch"], ["Front Load Washer", "Top Load Washer", "Washer Dryer"], ["6 kg", "7 kg", "8 kg", "9 kg"]),
    cat!("HOME", "FURNITURE", 1_999, 59_999, 15.0, 0.6, ["IKEA", "Godrej Interio", "Urban Ladder", "Durian", "Wakefit"], ["Sofa", "Office Chair", "Study Table", "Bookshelf", "Bed Frame"], ["Walnut", "Oak", "Grey", "Teak"]),
    cat!("HOME", "DECOR", 299, 12_999, 1.5, 1.0, ["Home Centre", "IKEA", "Chumbak", "Fabindia", "Pepperfry"], ["Wall Clock", "Table Lamp", "Ceramic Vase", "Photo Frame", "Wall Art"], ["Small", "Medium", "Large"]),
    cat!("HOME", "BED_BATH", 199, 7_999, 1.2, 1.1, ["Bombay Dyeing", "Spaces", "D'Decor", "Welspun", "Trident"], ["Bedsheet Set", "Bath Towel Set", "Comforter", "Pillow Pair"], ["Single", "Double", "Queen", "King"]),
    cat!("BEAUTY", "SKINCARE", 149, 2_499, 0.25, 1.5, ["Nivea", "Cetaphil", "Neutrogena", "The Derma Co", "Minimalist", "Lakme"], ["Face Wash", "Moisturiser", "Sunscreen SPF 50", "Face Serum"], ["50 ml", "100 ml", "150 ml"]),
    cat!("BEAUTY", "HAIRCARE", 129, 1_999, 0.3, 1.4, ["L'Oreal", "Dove", "Pantene", "TRESemme", "Head and Shoulders"], ["Shampoo", "Conditioner", "Hair Oil", "Hair Mask"], ["180 ml", "340 ml", "650 ml"]),
    cat!("BEAUTY", "MAKEUP", 199, 2_999, 0.2, 1.3, ["Maybelline", "Lakme", "MAC", "Sugar", "Nykaa"], ["Matte Lipstick", "Kajal", "Liquid Foundation", "Compact Powder"], ["Nude", "Ruby", "Coral", "Mocha"]),
    cat!("GROCERY", "STAPLES", 99, 1_999, 1.0, 1.6, ["Tata Sampann", "Aashirvaad", "Fortune", "India Gate", "Saffola"], ["Basmati Rice", "Whole Wheat Atta", "Toor Dal", "Sunflower Oil"], ["1 kg", "5 kg", "10 kg"]),
    cat!("GROCERY", "SNACKS", 10, 399, 0.2, 1.8, ["Haldiram's", "Lay's", "Bingo", "Britannia", "Parle"], ["Namkeen", "Potato Chips", "Cookies", "Trail Mix"], ["150 g", "200 g", "400 g"]),
    cat!("GROCERY", "BEVERAGES", 20, 999, 0.5, 1.6, ["Tata Tea", "Nescafe", "Bru", "Paper Boat", "Tropicana"], ["Green Tea", "Instant Coffee", "Mango Drink", "Cold Coffee"], ["100 g", "200 g", "1 L"]),
];

const SERIES: [&str; 10] = [
    "Nova", "Edge", "Prime", "Neo", "Ultra", "Lite", "Max", "Air", "Pro", "Classic",
];

/// The products and their current state.
pub(crate) struct Catalog {
    /// Current state of every product (index = product_id - id_base).
    pub products: Vec<ProductEvent>,
    /// Category index of every product.
    pub category: Vec<u8>,
    /// Cumulative popularity (Zipf-like over a random ranking, scaled by category).
    cum: Vec<f64>,
}

impl Catalog {
    /// `n` products with unique names, created before `start`.
    pub(crate) fn build(rng: &mut Rng8, n: usize, id_base: i64, start: i64) -> Catalog {
        let mut names = HashSet::with_capacity(n);
        let mut products = Vec::with_capacity(n);
        let mut category = Vec::with_capacity(n);
        for i in 0..n {
            let c = rng.gen_range(0..CATEGORIES.len());
            let cat = &CATEGORIES[c];
            let id = id_base + i as i64;
            let brand = pick(rng, cat.brands);
            let sku = format!("SKU-{id:07}");
            let mut name = String::new();
            for _ in 0..20 {
                name = product_name(rng, cat, brand);
                if !names.contains(&name) {
                    break;
                }
            }
            if names.contains(&name) {
                name = format!("{name} {sku}");
            }
            names.insert(name.clone());
            let rupees = rng.gen_range(cat.lo..=cat.hi);
            let rupees = (rupees - rupees % 10 + 9).clamp(cat.lo, cat.hi);
            let list_price = rupees * 100;
            let unit_cost = scale(list_price, 1.0 / rng.gen_range(1.18..1.75));
            let created = start - rng.gen_range(DAY..365 * DAY);
            products.push(ProductEvent {
                event_id: uuid(rng),
                product_id: id,
                event_time: created,
                updated_at: created,
                sku,
                product_name: name,
                category_l1: cat.l1.to_owned(),
                category_l2: cat.l2.to_owned(),
                brand: brand.to_owned(),
                currency: "INR".to_owned(),
                unit_cost,
                list_price,
            });
            category.push(c as u8);
        }
        let mut rank: Vec<usize> = (0..n).collect();
        rank.shuffle(rng);
        let mut cum = Vec::with_capacity(n);
        let mut total = 0.0;
        for (i, r) in rank.iter().enumerate() {
            total += CATEGORIES[category[i] as usize].popularity / ((r + 1) as f64).powf(0.85);
            cum.push(total);
        }
        Catalog {
            products,
            category,
            cum,
        }
    }

    /// A product index drawn by popularity.
    pub(crate) fn popular(&self, rng: &mut Rng8) -> usize {
        from_cumulative(rng, &self.cum).unwrap_or(0)
    }

    /// The category of product index `i`.
    pub(crate) fn category_of(&self, i: usize) -> &'static Category {
        &CATEGORIES[self.category[i] as usize]
    }

    /// Applies a list-price change by `factor` at `t` (kept after the previous
    /// version) and returns the new full state. `factor` 1.0 re-emits the state.
    pub(crate) fn reprice(
        &mut self,
        rng: &mut Rng8,
        i: usize,
        factor: f64,
        t: i64,
    ) -> ProductEvent {
        let p = &mut self.products[i];
        let t = t.max(p.updated_at + 1);
        p.list_price = scale(p.list_price, factor).max(100);
        p.event_id = uuid(rng);
        p.event_time = t;
        p.updated_at = t;
        p.clone()
    }
}

/// `<brand> <series> <noun> <code> (<variant>)`, for example
/// "Sony Edge Wireless Earbuds KX-418 (Black)".
fn product_name(rng: &mut Rng8, cat: &Category, brand: &str) -> String {
    let series = pick(rng, &SERIES);
    let noun = pick(rng, cat.nouns);
    let variant = pick(rng, cat.variants);
    let a = char::from(b'A' + rng.gen_range(0..26u8));
    let b = char::from(b'A' + rng.gen_range(0..26u8));
    let num = rng.gen_range(100..1000);
    format!("{brand} {series} {noun} {a}{b}-{num} ({variant})")
}
