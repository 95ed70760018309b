//! Additive measures of a bucket, and the KPIs derived from them (one formula
//! each, the same as the KPI views: docs/kpi_definitions.md).

use serde::Serialize;

/// Sums that add up across minutes and buckets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Measures {
    pub gmv_usd: f64,
    pub net_revenue_usd: f64,
    pub orders: i64,
    pub units: i64,
    pub refunds_usd: f64,
    pub shipments: i64,
    pub sla_breaches: i64,
    pub sessions_viewed: i64,
    pub sessions_added: i64,
    pub sessions_attempted: i64,
    pub sessions_failed: i64,
    pub sessions_placed: i64,
    pub sessions_abandoned: i64,
    pub cogs_usd: f64,
    pub shipping_cost_usd: f64,
    pub gateway_fee_usd: f64,
    pub gross_profit_usd: f64,
    pub net_profit_usd: f64,
    pub loss_orders: i64,
    pub failed_payment_orders: i64,
    pub revenue_lost_payment_failures_usd: f64,
    /// list value of the products left in abandoned carts (× the sell-to-list
    /// ratio = revenue lost to abandonment)
    pub abandoned_cart_list_usd: f64,
}

impl Measures {
    /// Reads a row of `kpi_buckets` (bucket, dim, dim_value, then the measures).
    pub fn from_bucket_row(r: &tokio_postgres::Row) -> Measures {
        Measures {
            gmv_usd: r.get(3),
            net_revenue_usd: r.get(4),
            orders: r.get(5),
            units: r.get(6),
            refunds_usd: r.get(7),
            shipments: r.get(8),
            sla_breaches: r.get(9),
            sessions_viewed: r.get(10),
            sessions_added: r.get(11),
            sessions_attempted: r.get(12),
            sessions_failed: r.get(13),
            sessions_placed: r.get(14),
            sessions_abandoned: r.get(15),
            cogs_usd: r.get(16),
            shipping_cost_usd: r.get(17),
            gateway_fee_usd: r.get(18),
            gross_profit_usd: r.get(19),
            net_profit_usd: r.get(20),
            loss_orders: r.get(21),
            failed_payment_orders: r.get(22),
            revenue_lost_payment_failures_usd: r.get(23),
            abandoned_cart_list_usd: r.get(24),
        }
    }

    pub fn add(&mut self, o: &Measures) {
        self.gmv_usd += o.gmv_usd;
        self.net_revenue_usd += o.net_revenue_usd;
        self.orders += o.orders;
        self.units += o.units;
        self.refunds_usd += o.refunds_usd;
        self.shipments += o.shipments;
        self.sla_breaches += o.sla_breaches;
        self.sessions_viewed += o.sessions_viewed;
        self.sessions_added += o.sessions_added;
        self.sessions_attempted += o.sessions_attempted;
        self.sessions_failed += o.sessions_failed;
        self.sessions_placed += o.sessions_placed;
        self.sessions_abandoned += o.sessions_abandoned;
        self.cogs_usd += o.cogs_usd;
        self.shipping_cost_usd += o.shipping_cost_usd;
        self.gateway_fee_usd += o.gateway_fee_usd;
        self.gross_profit_usd += o.gross_profit_usd;
        self.net_profit_usd += o.net_profit_usd;
        self.loss_orders += o.loss_orders;
        self.failed_payment_orders += o.failed_payment_orders;
        self.revenue_lost_payment_failures_usd += o.revenue_lost_payment_failures_usd;
        self.abandoned_cart_list_usd += o.abandoned_cart_list_usd;
    }

    /// The KPIs of these sums; `sell_to_list` is the ratio of
    /// `vw_sell_to_list_ratio` (revenue lost to abandonment = list value × it).
    pub fn kpis(&self, sell_to_list: f64) -> Kpis {
        let ratio = |n: i64, d: i64| (d > 0).then(|| n as f64 / d as f64);
        let margin = |x: f64| (self.net_revenue_usd != 0.0).then(|| x / self.net_revenue_usd);
        Kpis {
            gmv_usd: round2(self.gmv_usd),
            net_revenue_usd: round2(self.net_revenue_usd),
            orders: self.orders,
            units: self.units,
            aov_usd: (self.orders > 0).then(|| round2(self.net_revenue_usd / self.orders as f64)),
            conversion_rate: ratio(self.sessions_placed, self.sessions_viewed),
            cart_abandonment_rate: ratio(self.sessions_abandoned, self.sessions_added),
            payment_failure_rate: ratio(self.sessions_failed, self.sessions_attempted),
            refund_amount_usd: round2(self.refunds_usd),
            sla_breach_rate: ratio(self.sla_breaches, self.shipments),
            shipments: self.shipments,
            sessions: self.sessions_viewed,
            cogs_usd: round2(self.cogs_usd),
            shipping_cost_usd: round2(self.shipping_cost_usd),
            gateway_fee_usd: round2(self.gateway_fee_usd),
            gross_profit_usd: round2(self.gross_profit_usd),
            net_profit_usd: round2(self.net_profit_usd),
            gross_margin: margin(self.gross_profit_usd),
            net_margin: margin(self.net_profit_usd),
            loss_orders: self.loss_orders,
            failed_payment_orders: self.failed_payment_orders,
            revenue_lost_payment_failures_usd: round2(self.revenue_lost_payment_failures_usd),
            revenue_lost_cart_abandonment_usd: round2(self.abandoned_cart_list_usd * sell_to_list),
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The live KPIs of a window (money in USD, rates as ratios 0-1, null when the
/// denominator is 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Kpis {
    pub gmv_usd: f64,
    pub net_revenue_usd: f64,
    pub orders: i64,
    pub units: i64,
    pub aov_usd: Option<f64>,
    pub conversion_rate: Option<f64>,
    pub cart_abandonment_rate: Option<f64>,
    pub payment_failure_rate: Option<f64>,
    pub refund_amount_usd: f64,
    pub sla_breach_rate: Option<f64>,
    pub shipments: i64,
    pub sessions: i64,
    pub cogs_usd: f64,
    pub shipping_cost_usd: f64,
    pub gateway_fee_usd: f64,
    pub gross_profit_usd: f64,
    pub net_profit_usd: f64,
    pub gross_margin: Option<f64>,
    pub net_margin: Option<f64>,
    pub loss_orders: i64,
    pub failed_payment_orders: i64,
    pub revenue_lost_payment_failures_usd: f64,
    pub revenue_lost_cart_abandonment_usd: f64,
}
