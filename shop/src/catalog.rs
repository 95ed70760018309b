//! The catalog: an in-memory snapshot of every product (prices, rating, stock,
//! units sold) reloaded from Postgres every few seconds in the background, so
//! browsing and search cost no query; product pages read their stock fresh.

use globalcart_common::query;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use deadpool_postgres::Pool;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{money, pricing};
use crate::ShopState;
use globalcart_httpkit::{Error, Result};

/// How old a snapshot may get before a reload.
const MAX_AGE: Duration = Duration::from_secs(5);

/// One product as the shop shows it.
#[derive(Debug, Clone)]
pub struct Product {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub brand: String,
    pub category_l1: String,
    pub category_l2: String,
    pub currency: String,
    pub list: i64,
    pub cost: i64,
    pub rating_avg: Option<f64>,
    pub rating_count: i64,
    pub available: i64,
    pub units_sold: i64,
    pub updated: i64,
    /// Lower-cased name, brand, sku and categories, for search.
    haystack: String,
}

impl Product {
    pub fn sell(&self) -> i64 {
        pricing::sell_price(self.product_id, self.list)
    }

    /// The JSON of a product (`Product` in docs/shop-api.md).
    pub fn json(&self) -> Value {
        json!({
            "product_id": self.product_id,
            "sku": self.sku,
            "name": self.name,
            "brand": self.brand,
            "category_l1": self.category_l1,
            "category_l2": self.category_l2,
            "currency": self.currency,
            "list_price": money(self.list),
            "sell_price": money(self.sell()),
            "discount_pct": pricing::discount_pct(self.product_id),
            "rating_avg": self.rating_avg.map(|r| (r * 100.0).round() / 100.0),
            "rating_count": self.rating_count,
            "available": self.available,
            "image_url": format!("/api/shop/products/{}/image.svg", self.product_id),
        })
    }
}

/// Every product, by id.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub products: BTreeMap<i64, Product>,
    facets: Value,
}

/// The shared snapshot and its reload.
#[derive(Default)]
pub struct CatalogCache {
    snap: RwLock<Option<(Instant, Arc<Snapshot>)>>,
    loading: tokio::sync::Mutex<()>,
}

async fn load(pool: &Pool) -> Result<Snapshot> {
    let rows = query!("shop_catalog_select")
        .rows(&pool.get().await?, &[])
        .await?;
    let mut products = BTreeMap::new();
    let mut cats: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    let mut brands = std::collections::BTreeSet::new();
    let (mut lo, mut hi) = (i64::MAX, 0);
    for r in rows {
        let p = Product {
            product_id: r.get("product_id"),
            sku: r.get("sku"),
            name: r.get("product_name"),
            brand: r.get("brand"),
            category_l1: r.get("category_l1"),
            category_l2: r.get("category_l2"),
            currency: r.get("currency"),
            list: r.get("list_cents"),
            cost: r.get("cost_cents"),
            rating_avg: r.get("rating_avg"),
            rating_count: r.get("rating_count"),
            available: r.get("available"),
            units_sold: r.get("units_sold"),
            updated: r.get("updated_epoch"),
            haystack: String::new(),
        };
        let haystack = format!(
            "{} {} {} {} {}",
            p.name, p.brand, p.sku, p.category_l1, p.category_l2
        )
        .to_lowercase();
        cats.entry(p.category_l1.clone())
            .or_default()
            .insert(p.category_l2.clone());
        brands.insert(p.brand.clone());
        lo = lo.min(p.sell());
        hi = hi.max(p.sell());
        products.insert(p.product_id, Product { haystack, ..p });
    }
    let categories: Vec<Value> = cats
        .into_iter()
        .map(|(l1, l2)| json!({"category_l1": l1, "subcategories": l2}))
        .collect();
    let facets = json!({
        "categories": categories,
        "brands": brands,
        "price_min": money(if lo == i64::MAX { 0 } else { lo }),
        "price_max": money(hi),
    });
    Ok(Snapshot { products, facets })
}

impl CatalogCache {
    /// The current snapshot; reloads it when older than a few seconds (other
    /// requests keep using the old one meanwhile).
    pub async fn get(&self, pool: &Pool) -> Result<Arc<Snapshot>> {
        let current = self.snap.read().expect("catalog lock").clone();
        if let Some((at, s)) = &current {
            if at.elapsed() < MAX_AGE {
                return Ok(s.clone());
            }
        }
        let _guard = match (&current, self.loading.try_lock()) {
            (_, Ok(g)) => g,
            (Some((_, s)), Err(_)) => return Ok(s.clone()),
            (None, Err(_)) => self.loading.lock().await,
        };
        if let Some((at, s)) = self.snap.read().expect("catalog lock").clone() {
            if at.elapsed() < MAX_AGE {
                return Ok(s);
            }
        }
        let fresh = Arc::new(load(pool).await?);
        *self.snap.write().expect("catalog lock") = Some((Instant::now(), fresh.clone()));
        Ok(fresh)
    }

    /// Forces the next [`CatalogCache::get`] to reload (stock or ratings changed).
    pub fn invalidate(&self) {
        if let Some((at, _)) = self.snap.write().expect("catalog lock").as_mut() {
            *at = Instant::now() - MAX_AGE;
        }
    }
}

pub fn router() -> Router<ShopState> {
    Router::new()
        .route("/api/shop/facets", get(facets))
        .route("/api/shop/products", get(list))
        .route("/api/shop/products/{id}", get(detail))
        .route("/api/shop/products/{id}/image.svg", get(image))
}

async fn facets(State(state): State<ShopState>) -> Result<Json<Value>> {
    Ok(Json(
        state.shop.catalog().get(&state.pool).await?.facets.clone(),
    ))
}

/// Query of the product list.
#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    pub q: Option<String>,
    pub category_l1: Option<String>,
    pub category_l2: Option<String>,
    pub brand: Option<String>,
    pub min_price: Option<f64>,
    pub max_price: Option<f64>,
    pub min_rating: Option<f64>,
    pub sort: Option<String>,
    pub page: Option<usize>,
    pub per_page: Option<usize>,
}

const SORTS: [&str; 6] = [
    "relevance",
    "price_asc",
    "price_desc",
    "best_sellers",
    "rating",
    "newest",
];

/// Filters, sorts and pages the snapshot; returns the page and the total.
pub fn search<'a>(snap: &'a Snapshot, q: &ListQuery) -> Result<(Vec<&'a Product>, usize)> {
    let sort = q
        .sort
        .as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or("relevance");
    if !SORTS.contains(&sort) {
        return Err(Error::BadRequest(format!(
            "sort must be one of {}",
            SORTS.join(", ")
        )));
    }
    let per_page = q.per_page.unwrap_or(24);
    if !(1..=100).contains(&per_page) {
        return Err(Error::BadRequest(
            "per_page must be between 1 and 100".into(),
        ));
    }
    let page = q.page.unwrap_or(1);
    if page == 0 {
        return Err(Error::BadRequest("page starts at 1".into()));
    }
    for (name, v) in [
        ("min_price", q.min_price),
        ("max_price", q.max_price),
        ("min_rating", q.min_rating),
    ] {
        if v.is_some_and(|v| !v.is_finite() || v < 0.0) {
            return Err(Error::BadRequest(format!("{name} must be a number ≥ 0")));
        }
    }
    if let (Some(a), Some(b)) = (q.min_price, q.max_price) {
        if a > b {
            return Err(Error::BadRequest("min_price is above max_price".into()));
        }
    }
    let terms: Vec<String> =
        q.q.as_deref()
            .unwrap_or("")
            .split_whitespace()
            .take(10)
            .map(str::to_lowercase)
            .collect();
    let some = |v: &Option<String>| v.as_deref().filter(|s| !s.is_empty()).map(str::to_owned);
    let (l1, l2, brand) = (some(&q.category_l1), some(&q.category_l2), some(&q.brand));
    let cents = |v: Option<f64>| v.map(|v| (v * 100.0).round() as i64);
    let (lo, hi) = (cents(q.min_price), cents(q.max_price));
    let mut hits: Vec<(i64, &Product)> = snap
        .products
        .values()
        .filter(|p| l1.as_ref().is_none_or(|c| &p.category_l1 == c))
        .filter(|p| l2.as_ref().is_none_or(|c| &p.category_l2 == c))
        .filter(|p| brand.as_ref().is_none_or(|b| &p.brand == b))
        .filter(|p| lo.is_none_or(|lo| p.sell() >= lo) && hi.is_none_or(|hi| p.sell() <= hi))
        .filter(|p| {
            q.min_rating
                .is_none_or(|m| p.rating_avg.is_some_and(|r| r >= m))
        })
        .filter(|p| terms.iter().all(|t| p.haystack.contains(t.as_str())))
        .map(|p| {
            let name = p.name.to_lowercase();
            let score = terms
                .iter()
                .map(|t| {
                    if name.starts_with(t.as_str()) {
                        3
                    } else if name.contains(t.as_str()) {
                        2
                    } else {
                        1
                    }
                })
                .sum::<i64>();
            (score, p)
        })
        .collect();
    match sort {
        "price_asc" => hits.sort_by_key(|(_, p)| (p.sell(), p.product_id)),
        "price_desc" => hits.sort_by_key(|(_, p)| (-p.sell(), p.product_id)),
        "best_sellers" => hits.sort_by_key(|(_, p)| (-p.units_sold, p.product_id)),
        "newest" => hits.sort_by_key(|(_, p)| (-p.updated, p.product_id)),
        "rating" => hits.sort_by(|a, b| {
            b.1.rating_avg
                .unwrap_or(-1.0)
                .total_cmp(&a.1.rating_avg.unwrap_or(-1.0))
                .then(b.1.rating_count.cmp(&a.1.rating_count))
                .then(a.1.product_id.cmp(&b.1.product_id))
        }),
        _ => hits.sort_by_key(|(s, p)| (-s, -p.units_sold, p.product_id)),
    }
    let total = hits.len();
    let page: Vec<&Product> = hits
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .map(|(_, p)| p)
        .collect();
    Ok((page, total))
}

async fn list(State(state): State<ShopState>, Query(q): Query<ListQuery>) -> Result<Json<Value>> {
    let snap = state.shop.catalog().get(&state.pool).await?;
    let (items, total) = search(&snap, &q)?;
    Ok(Json(json!({
        "items": items.iter().map(|p| p.json()).collect::<Vec<_>>(),
        "total": total,
        "page": q.page.unwrap_or(1),
        "per_page": q.per_page.unwrap_or(24),
    })))
}

/// Up to 8 related products: same sub-category, then same category, then best sellers.
pub fn related<'a>(snap: &'a Snapshot, p: &Product) -> Vec<&'a Product> {
    let key = |o: &Product| {
        let rank = if o.category_l2 == p.category_l2 {
            0
        } else if o.category_l1 == p.category_l1 {
            1
        } else {
            2
        };
        (rank, -o.units_sold, o.product_id)
    };
    let mut others: Vec<&Product> = snap
        .products
        .values()
        .filter(|o| o.product_id != p.product_id)
        .collect();
    // linear selection of the best 8, then sort just those
    if others.len() > 8 {
        others.select_nth_unstable_by_key(8, |o| key(o));
        others.truncate(8);
    }
    others.sort_by_key(|o| key(o));
    others
}

async fn detail(State(state): State<ShopState>, Path(id): Path<i64>) -> Result<Json<Value>> {
    // stock comes from the snapshot, which every checkout, payment, cancel and
    // clock step of this process invalidates (other processes: at most 5 s
    // old); checkout itself locks and checks the real rows
    let snap = state.shop.catalog().get(&state.pool).await?;
    let p = snap
        .products
        .get(&id)
        .ok_or_else(|| Error::not_found("product"))?;
    let mut out = p.json();
    out["description"] = json!(format!(
        "{} by {}: {} in {}. SKU {}.",
        p.name, p.brand, p.category_l2, p.category_l1, p.sku
    ));
    out["related"] = json!(related(&snap, p)
        .iter()
        .map(|r| r.json())
        .collect::<Vec<_>>());
    Ok(Json(out))
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// A generated picture: the category's colour, the product's initials.
pub fn svg(p: &Product) -> String {
    let hue = p
        .category_l1
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32))
        % 360;
    let hue2 = (hue + 40 + (p.product_id.rem_euclid(60)) as u32) % 360;
    let initials: String = p
        .name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_alphanumeric())
        .take(2)
        .collect::<String>()
        .to_uppercase();
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300" role="img" aria-label="{label}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl({hue},70%,55%)"/><stop offset="1" stop-color="hsl({hue2},70%,35%)"/></linearGradient></defs><rect width="400" height="300" fill="url(#g)"/><text x="200" y="165" font-family="sans-serif" font-size="96" font-weight="700" fill="rgba(255,255,255,.92)" text-anchor="middle">{initials}</text><text x="200" y="255" font-family="sans-serif" font-size="22" fill="rgba(255,255,255,.85)" text-anchor="middle">{cat}</text></svg>"#,
        label = xml_escape(&p.name),
        initials = xml_escape(&initials),
        cat = xml_escape(&p.category_l2),
    )
}

async fn image(State(state): State<ShopState>, Path(id): Path<i64>) -> Result<impl IntoResponse> {
    let snap = state.shop.catalog().get(&state.pool).await?;
    let p = snap
        .products
        .get(&id)
        .ok_or_else(|| Error::not_found("product"))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        svg(p),
    ))
}

#[cfg(test)]
// amounts in minor units: 100_00 reads as 100.00
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;

    fn product(id: i64, name: &str, l2: &str, list: i64, sold: i64) -> Product {
        Product {
            product_id: id,
            sku: format!("SKU{id}"),
            name: name.into(),
            brand: "Acme".into(),
            category_l1: "HOME".into(),
            category_l2: l2.into(),
            currency: "INR".into(),
            list,
            cost: list / 2,
            rating_avg: None,
            rating_count: 0,
            available: 5,
            units_sold: sold,
            updated: id,
            haystack: format!("{name} acme sku{id} home {l2}").to_lowercase(),
        }
    }

    fn snap() -> Snapshot {
        let mut s = Snapshot::default();
        for p in [
            product(1, "Steel Kettle", "Kitchen", 2000_00, 5),
            product(2, "Glass Kettle", "Kitchen", 1500_00, 9),
            product(3, "Desk Lamp", "Lighting", 900_00, 1),
        ] {
            s.products.insert(p.product_id, p);
        }
        s
    }

    #[test]
    fn search_filters_sorts_and_pages() {
        let s = snap();
        let q = ListQuery {
            q: Some("kettle".into()),
            sort: Some("price_asc".into()),
            ..Default::default()
        };
        let (page, total) = search(&s, &q).unwrap();
        assert_eq!(total, 2);
        assert_eq!(
            page.iter().map(|p| p.product_id).collect::<Vec<_>>(),
            vec![2, 1]
        );
        let q = ListQuery {
            sort: Some("best_sellers".into()),
            per_page: Some(1),
            page: Some(2),
            ..Default::default()
        };
        let (page, total) = search(&s, &q).unwrap();
        assert_eq!((total, page[0].product_id), (3, 1));
        let q = ListQuery {
            category_l2: Some("Lighting".into()),
            ..Default::default()
        };
        assert_eq!(search(&s, &q).unwrap().1, 1);
    }

    #[test]
    fn bad_queries_are_refused() {
        let s = snap();
        for q in [
            ListQuery {
                sort: Some("cheapest".into()),
                ..Default::default()
            },
            ListQuery {
                per_page: Some(0),
                ..Default::default()
            },
            ListQuery {
                page: Some(0),
                ..Default::default()
            },
            ListQuery {
                min_price: Some(10.0),
                max_price: Some(5.0),
                ..Default::default()
            },
            ListQuery {
                min_price: Some(-1.0),
                ..Default::default()
            },
        ] {
            assert!(matches!(search(&s, &q), Err(Error::BadRequest(_))), "{q:?}");
        }
    }

    #[test]
    fn related_prefers_the_same_subcategory_and_pictures_escape_names() {
        let s = snap();
        let r = related(&s, &s.products[&1]);
        assert_eq!(r[0].product_id, 2);
        let mut p = product(9, "<script>x</script> & Co", "Kitchen", 1, 0);
        p.category_l2 = "A&B".into();
        let svg = svg(&p);
        assert!(
            !svg.contains("<script>") && svg.contains("&lt;script&gt;") && svg.contains("A&amp;B")
        );
    }
}
