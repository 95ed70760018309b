//! The manifest: per warehouse table, the number of distinct keys and the sums of
//! its money columns over the final (last emitted) version of every row, so a
//! loaded warehouse can be checked against what was produced.

use std::collections::BTreeMap;

use globalcart_schemas::events::AnyEvent;
use serde::{Deserialize, Serialize};

/// Rows and money sums of every table, by table name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Manifest(pub BTreeMap<String, TableManifest>);

/// Rows and sums (decimal strings with two decimals) of one table.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TableManifest {
    pub rows: u64,
    pub sums: BTreeMap<String, String>,
}

impl Manifest {
    /// `{"fact_orders": {"rows": 60000, "sums": {"net_amount": "1234.56", ...}}, ...}`
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).expect("a map of strings and integers always serializes")
    }
}

/// Minor units as a decimal string with two decimals: 123456 -> "1234.56".
pub fn format_minor(v: i128) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// Last-version values of one table, stored densely by id.
#[derive(Debug)]
struct Dense<const K: usize> {
    slots: Vec<Option<[i64; K]>>,
    rows: u64,
    sums: [i128; K],
}

impl<const K: usize> Default for Dense<K> {
    fn default() -> Self {
        Dense {
            slots: Vec::new(),
            rows: 0,
            sums: [0; K],
        }
    }
}

impl<const K: usize> Dense<K> {
    fn put(&mut self, id: i64, vals: [i64; K]) {
        let Ok(i) = usize::try_from(id) else { return };
        if i >= self.slots.len() {
            self.slots.resize(i + 1, None);
        }
        match self.slots[i].replace(vals) {
            Some(old) => self
                .sums
                .iter_mut()
                .zip(old)
                .for_each(|(s, v)| *s -= i128::from(v)),
            None => self.rows += 1,
        }
        self.sums
            .iter_mut()
            .zip(vals)
            .for_each(|(s, v)| *s += i128::from(v));
    }

    fn table(&self, names: [&str; K]) -> TableManifest {
        TableManifest {
            rows: self.rows,
            sums: names
                .iter()
                .zip(self.sums)
                .map(|(n, s)| ((*n).to_owned(), format_minor(s)))
                .collect(),
        }
    }
}

/// Accumulates the manifest from the emitted events.
#[derive(Debug, Default)]
pub(crate) struct ManifestBuilder {
    customers: Dense<0>,
    geos: Dense<0>,
    products: Dense<2>,
    fcs: Dense<0>,
    orders: Dense<4>,
    items: Dense<3>,
    payments: Dense<3>,
    shipments: Dense<1>,
    returns: Dense<1>,
    clicks: u64,
}

impl ManifestBuilder {
    /// Records one emitted event (a later version replaces the earlier one).
    pub(crate) fn observe(&mut self, e: &AnyEvent) {
        match e {
            AnyEvent::Customer(c) => {
                self.customers.put(c.customer_id, []);
                self.geos.put(c.geo_id, []);
            }
            AnyEvent::Product(p) => self.products.put(p.product_id, [p.list_price, p.unit_cost]),
            AnyEvent::Order(o) => {
                let sums = [
                    o.gross_amount,
                    o.discount_amount,
                    o.tax_amount,
                    o.net_amount,
                ];
                self.orders.put(o.order_id, sums);
                for i in &o.items {
                    let sums = [i.line_discount, i.line_tax, i.line_net_revenue];
                    self.items.put(i.order_item_id, sums);
                }
            }
            AnyEvent::Payment(p) => {
                let sums = [p.amount, p.gateway_fee_amount, p.refund_amount];
                self.payments.put(p.payment_id, sums);
            }
            AnyEvent::Shipment(s) => {
                self.shipments.put(s.shipment_id, [s.shipping_cost]);
                self.fcs.put(s.fc_id, []);
            }
            AnyEvent::Return(r) => self.returns.put(r.return_id, [r.refund_amount]),
            AnyEvent::Click(_) => self.clicks += 1,
        }
    }

    pub(crate) fn build(&self) -> Manifest {
        let mut m = BTreeMap::new();
        let mut add = |name: &str, t: TableManifest| m.insert(name.to_owned(), t);
        add("dim_customer", self.customers.table([]));
        add("dim_geo", self.geos.table([]));
        add("dim_fc", self.fcs.table([]));
        add(
            "dim_product",
            self.products.table(["list_price", "unit_cost"]),
        );
        let order_sums = [
            "gross_amount",
            "discount_amount",
            "tax_amount",
            "net_amount",
        ];
        add("fact_orders", self.orders.table(order_sums));
        let item_sums = ["line_discount", "line_tax", "line_net_revenue"];
        add("fact_order_items", self.items.table(item_sums));
        let payment_sums = ["amount", "gateway_fee_amount", "refund_amount"];
        add("fact_payments", self.payments.table(payment_sums));
        add("fact_shipments", self.shipments.table(["shipping_cost"]));
        add("fact_returns", self.returns.table(["refund_amount"]));
        let clicks = TableManifest {
            rows: self.clicks,
            sums: BTreeMap::new(),
        };
        add("fact_funnel_events", clicks);
        Manifest(m)
    }
}
