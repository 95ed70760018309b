//! The one list of the live KPIs. Two tables, each written once:
//! - the additive **measures** of a bucket (columns of `kpi_buckets`, read by
//!   name, summed across buckets);
//! - the **KPIs** derived from them, each with its formula (the same as the
//!   KPI views': docs/kpi_definitions.md) and, for the tiles on Grafana, the
//!   Prometheus gauge of today's value.
//!
//! The struct, its aggregation, the JSON of `/api/kpis/live`, the metric names
//! of `/api/kpis/timeseries`, the OpenAPI schema and the gauges all come from
//! these tables (`cli/tests/kpi_views.rs` checks the formulas against the SQL
//! definitions on a loaded history).

use globalcart_common::metrics::{
    AOV_TODAY, CART_ABANDONMENT_TODAY, CONVERSION_TODAY, NET_MARGIN_TODAY, NET_PROFIT_TODAY,
    NET_REVENUE_TODAY, ORDERS_TODAY, PAYMENT_FAILURE_TODAY, REFUNDS_TODAY, SLA_BREACH_TODAY,
};
use serde::Serialize;
use serde_json::{json, Map, Value};

macro_rules! measures {
    ($($(#[$doc:meta])* $name:ident: $ty:ty,)*) => {
        /// Sums that add up across buckets (one column of `kpi_buckets` each).
        #[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
        pub struct Measures {
            $($(#[$doc])* pub $name: $ty,)*
        }

        impl Measures {
            /// The columns of `kpi_buckets` read into a `Measures`.
            pub const COLUMNS: &[&str] = &[$(stringify!($name)),*];

            /// Reads a row of `kpi_buckets`, column by name.
            pub fn from_bucket_row(r: &tokio_postgres::Row) -> Measures {
                Measures { $($name: r.get(stringify!($name)),)* }
            }

            pub fn add(&mut self, o: &Measures) {
                $(self.$name += o.$name;)*
            }
        }
    };
}

measures! {
    gmv_usd: f64,
    net_revenue_usd: f64,
    orders: i64,
    units: i64,
    refunds_usd: f64,
    shipments: i64,
    sla_breaches: i64,
    sessions_viewed: i64,
    sessions_added: i64,
    sessions_attempted: i64,
    sessions_failed: i64,
    sessions_placed: i64,
    sessions_abandoned: i64,
    cogs_usd: f64,
    shipping_cost_usd: f64,
    gateway_fee_usd: f64,
    gross_profit_usd: f64,
    net_profit_usd: f64,
    loss_orders: i64,
    failed_payment_orders: i64,
    revenue_lost_payment_failures_usd: f64,
    /// list value of the products left in abandoned carts (× the sell-to-list
    /// ratio = revenue lost to abandonment)
    abandoned_cart_list_usd: f64,
}

/// How a KPI's type shows in the OpenAPI schema and on a gauge.
trait Value0 {
    const SCHEMA: &'static str;
    fn gauge(&self) -> f64;
}
impl Value0 for f64 {
    const SCHEMA: &'static str = "number";
    fn gauge(&self) -> f64 {
        *self
    }
}
impl Value0 for i64 {
    const SCHEMA: &'static str = "integer";
    fn gauge(&self) -> f64 {
        *self as f64
    }
}
impl Value0 for Option<f64> {
    const SCHEMA: &'static str = "number|null";
    fn gauge(&self) -> f64 {
        self.unwrap_or(0.0)
    }
}

macro_rules! kpis {
    (|$m:ident, $sell_to_list:ident| { $($name:ident: $ty:ty $([$gauge:ident])? = $formula:expr,)* }) => {
        /// The live KPIs of a window (money in USD, rates as ratios 0-1, null
        /// when the denominator is 0).
        #[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
        pub struct Kpis {
            $(pub $name: $ty,)*
        }

        impl Kpis {
            /// Every KPI's name, in the order of the JSON.
            pub const NAMES: &[&str] = &[$(stringify!($name)),*];

            /// The OpenAPI schema of the JSON object.
            pub fn schema() -> Value {
                let mut properties = Map::new();
                $(properties.insert(stringify!($name).into(), schema_of(<$ty as Value0>::SCHEMA));)*
                json!({"type": "object", "properties": properties,
                       "description": "Live KPIs of a window: money in USD, rates as ratios 0-1 (null when the denominator is 0)"})
            }

            /// Sets the Prometheus gauges of today's KPIs.
            pub fn publish_gauges(&self) {
                $($($gauge.set(Value0::gauge(&self.$name));)?)*
            }
        }

        impl Measures {
            /// The KPIs of these sums; `sell_to_list` is the ratio of
            /// `vw_sell_to_list_ratio` (revenue lost to abandonment = list value × it).
            pub fn kpis(&self, sell_to_list: f64) -> Kpis {
                let ($m, $sell_to_list) = (self, sell_to_list);
                Kpis { $($name: $formula,)* }
            }
        }
    };
}

kpis!(|m, sell_to_list| {
    gmv_usd: f64 = round2(m.gmv_usd),
    net_revenue_usd: f64 [NET_REVENUE_TODAY] = round2(m.net_revenue_usd),
    orders: i64 [ORDERS_TODAY] = m.orders,
    units: i64 = m.units,
    aov_usd: Option<f64> [AOV_TODAY] =
        (m.orders > 0).then(|| round2(m.net_revenue_usd / m.orders as f64)),
    conversion_rate: Option<f64> [CONVERSION_TODAY] = ratio(m.sessions_placed, m.sessions_viewed),
    cart_abandonment_rate: Option<f64> [CART_ABANDONMENT_TODAY] =
        ratio(m.sessions_abandoned, m.sessions_added),
    payment_failure_rate: Option<f64> [PAYMENT_FAILURE_TODAY] =
        ratio(m.sessions_failed, m.sessions_attempted),
    refund_amount_usd: f64 [REFUNDS_TODAY] = round2(m.refunds_usd),
    sla_breach_rate: Option<f64> [SLA_BREACH_TODAY] = ratio(m.sla_breaches, m.shipments),
    shipments: i64 = m.shipments,
    sessions: i64 = m.sessions_viewed,
    cogs_usd: f64 = round2(m.cogs_usd),
    shipping_cost_usd: f64 = round2(m.shipping_cost_usd),
    gateway_fee_usd: f64 = round2(m.gateway_fee_usd),
    gross_profit_usd: f64 = round2(m.gross_profit_usd),
    net_profit_usd: f64 [NET_PROFIT_TODAY] = round2(m.net_profit_usd),
    gross_margin: Option<f64> = margin(m.gross_profit_usd, m.net_revenue_usd),
    net_margin: Option<f64> [NET_MARGIN_TODAY] = margin(m.net_profit_usd, m.net_revenue_usd),
    loss_orders: i64 = m.loss_orders,
    failed_payment_orders: i64 = m.failed_payment_orders,
    revenue_lost_payment_failures_usd: f64 = round2(m.revenue_lost_payment_failures_usd),
    revenue_lost_cart_abandonment_usd: f64 = round2(m.abandoned_cart_list_usd * sell_to_list),
});

/// `n / d`, null when `d` is 0.
fn ratio(n: i64, d: i64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

/// A profit as a share of net revenue, null when there is none.
fn margin(profit: f64, net_revenue: f64) -> Option<f64> {
    (net_revenue != 0.0).then(|| profit / net_revenue)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn schema_of(kind: &str) -> Value {
    match kind.split_once('|') {
        Some((a, b)) => json!({"type": [a, b]}),
        None => json!({"type": kind}),
    }
}
