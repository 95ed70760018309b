//! One struct per versioned table, holding the columns the loader writes (all
//! but `loaded_at`) under their warehouse names. The stream side builds it
//! from an event as the handlers do; the warehouse side from a row of
//! `sql/queries/reconcile_<table>_select.sql`, which selects the key and then
//! these columns in this order (money × 100 as `bigint`).

use globalcart_schemas::{
    CustomerEvent, OrderEvent, OrderItem, PaymentEvent, ProductEvent, ReturnEvent, ShipmentEvent,
};
use tokio_postgres::Row;

use super::cells::{Cents, Day, EventId, Micros, Show, Total, Version};

/// A row of a table whose rows the newest version of an entity writes.
pub trait Record: PartialEq + Sized + Send + 'static {
    /// The warehouse table.
    const TABLE: &'static str;
    /// Its key column.
    const KEY: &'static str;
    /// The columns summed into the table's totals.
    const TOTALS: &'static [&'static str];
    /// The version that wrote the row.
    fn version(&self) -> Version;
    /// Every column as shown in a difference.
    fn fields(&self) -> Vec<(&'static str, String)>;
    /// Adds the row's [`Record::TOTALS`] to `sums` (value, is money).
    fn add_totals(&self, sums: &mut [(i128, bool)]);
    /// The key and the row from a warehouse row.
    fn from_row(row: &Row) -> Result<(i64, Self), tokio_postgres::Error>;
}

macro_rules! record {
    ($(#[$doc:meta])* $name:ident, $table:literal, $key:literal, totals [$($t:ident),*],
     { $($f:ident: $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            $(pub $f: $ty,)*
        }

        impl Record for $name {
            const TABLE: &'static str = $table;
            const KEY: &'static str = $key;
            const TOTALS: &'static [&'static str] = &[$(stringify!($t)),*];
            fn version(&self) -> Version {
                (self.updated_at, self.event_id)
            }
            fn fields(&self) -> Vec<(&'static str, String)> {
                vec![$((stringify!($f), self.$f.show())),*]
            }
            fn add_totals(&self, sums: &mut [(i128, bool)]) {
                let values: &[(i128, bool)] = &[$(self.$t.total()),*];
                for (s, (v, money)) in sums.iter_mut().zip(values) {
                    s.0 += v;
                    s.1 = *money;
                }
            }
            fn from_row(row: &Row) -> Result<(i64, Self), tokio_postgres::Error> {
                let mut i = 0;
                let key = row.try_get(0)?;
                Ok((key, $name { $($f: { i += 1; row.try_get(i)? },)* }))
            }
        }
    };
}

record!(
    /// fact_orders.
    OrderRow, "fact_orders", "order_id",
    totals [gross_amount, discount_amount, tax_amount, net_amount],
    {
        customer_id: i64, geo_id: i64, order_ts: Micros, order_status: String, channel: String,
        device: String, currency: String, gross_amount: Cents, discount_amount: Cents,
        tax_amount: Cents, net_amount: Cents, event_id: EventId, updated_at: Micros,
    }
);

record!(
    /// fact_order_items: the lines of the newest order version that carries them.
    ItemRow, "fact_order_items", "order_item_id",
    totals [qty, line_discount, line_tax, line_net_revenue],
    {
        order_id: i64, product_id: i64, qty: i32, unit_list_price: Cents,
        unit_sell_price: Cents, unit_cost: Cents, line_discount: Cents, line_tax: Cents,
        line_net_revenue: Cents, event_id: EventId, updated_at: Micros,
    }
);

record!(
    /// fact_payments.
    PaymentRow, "fact_payments", "payment_id",
    totals [amount, gateway_fee_amount, refund_amount],
    {
        order_id: i64, payment_method: String, payment_status: String,
        payment_provider: String, currency: String, amount: Cents, gateway_fee_amount: Cents,
        refund_amount: Cents, authorized_ts: Option<Micros>, captured_ts: Option<Micros>,
        failure_reason: Option<String>, chargeback_flag: bool, event_id: EventId,
        updated_at: Micros,
    }
);

record!(
    /// fact_shipments.
    ShipmentRow, "fact_shipments", "shipment_id",
    totals [shipping_cost],
    {
        order_id: i64, fc_id: i64, carrier: String, shipment_status: String, currency: String,
        shipping_cost: Cents, shipped_ts: Option<Micros>, promised_delivery_dt: Day,
        delivered_dt: Option<Day>, sla_breached_flag: bool, event_id: EventId,
        updated_at: Micros,
    }
);

record!(
    /// fact_returns.
    ReturnRow, "fact_returns", "return_id",
    totals [refund_amount],
    {
        order_id: i64, order_item_id: i64, product_id: i64, return_ts: Micros,
        return_reason: String, return_status: String, currency: String, refund_amount: Cents,
        restocked_flag: bool, event_id: EventId, updated_at: Micros,
    }
);

record!(
    /// dim_product.
    ProductRow, "dim_product", "product_id",
    totals [unit_cost, list_price],
    {
        sku: String, product_name: String, category_l1: String, category_l2: String,
        brand: String, currency: String, unit_cost: Cents, list_price: Cents,
        event_id: EventId, updated_at: Micros,
    }
);

record!(
    /// dim_customer.
    CustomerRow, "dim_customer", "customer_id",
    totals [],
    {
        customer_created_ts: Micros, geo_id: i64, acquisition_channel: String,
        event_id: EventId, updated_at: Micros,
    }
);

impl OrderRow {
    /// The order row of `e`, and its lines.
    pub fn of(e: OrderEvent) -> (Self, Vec<OrderItem>) {
        let row = OrderRow {
            customer_id: e.customer_id,
            geo_id: e.geo_id,
            order_ts: Micros(e.order_ts),
            order_status: e.order_status,
            channel: e.channel,
            device: e.device,
            currency: e.currency,
            gross_amount: Cents(e.gross_amount),
            discount_amount: Cents(e.discount_amount),
            tax_amount: Cents(e.tax_amount),
            net_amount: Cents(e.net_amount),
            event_id: EventId::parse(&e.event_id),
            updated_at: Micros(e.updated_at),
        };
        (row, e.items)
    }
}

impl ItemRow {
    /// The line `i` as order version `o` writes it.
    pub fn of(i: &OrderItem, o: &OrderRow, order_id: i64) -> Self {
        ItemRow {
            order_id,
            product_id: i.product_id,
            qty: i.qty,
            unit_list_price: Cents(i.unit_list_price),
            unit_sell_price: Cents(i.unit_sell_price),
            unit_cost: Cents(i.unit_cost),
            line_discount: Cents(i.line_discount),
            line_tax: Cents(i.line_tax),
            line_net_revenue: Cents(i.line_net_revenue),
            event_id: o.event_id,
            updated_at: o.updated_at,
        }
    }
}

impl From<PaymentEvent> for PaymentRow {
    fn from(e: PaymentEvent) -> Self {
        PaymentRow {
            order_id: e.order_id,
            payment_method: e.payment_method,
            payment_status: e.payment_status,
            payment_provider: e.payment_provider,
            currency: e.currency,
            amount: Cents(e.amount),
            gateway_fee_amount: Cents(e.gateway_fee_amount),
            refund_amount: Cents(e.refund_amount),
            authorized_ts: e.authorized_ts.map(Micros),
            captured_ts: e.captured_ts.map(Micros),
            failure_reason: e.failure_reason,
            chargeback_flag: e.chargeback_flag,
            event_id: EventId::parse(&e.event_id),
            updated_at: Micros(e.updated_at),
        }
    }
}

impl From<ShipmentEvent> for ShipmentRow {
    fn from(e: ShipmentEvent) -> Self {
        ShipmentRow {
            order_id: e.order_id,
            fc_id: e.fc_id,
            carrier: e.carrier,
            shipment_status: e.shipment_status,
            currency: e.currency,
            shipping_cost: Cents(e.shipping_cost),
            shipped_ts: e.shipped_ts.map(Micros),
            promised_delivery_dt: Day(e.promised_delivery_dt),
            delivered_dt: e.delivered_dt.map(Day),
            sla_breached_flag: e.sla_breached_flag,
            event_id: EventId::parse(&e.event_id),
            updated_at: Micros(e.updated_at),
        }
    }
}

impl From<ReturnEvent> for ReturnRow {
    fn from(e: ReturnEvent) -> Self {
        ReturnRow {
            order_id: e.order_id,
            order_item_id: e.order_item_id,
            product_id: e.product_id,
            return_ts: Micros(e.return_ts),
            return_reason: e.return_reason,
            return_status: e.return_status,
            currency: e.currency,
            refund_amount: Cents(e.refund_amount),
            restocked_flag: e.restocked_flag,
            event_id: EventId::parse(&e.event_id),
            updated_at: Micros(e.updated_at),
        }
    }
}

impl From<ProductEvent> for ProductRow {
    fn from(e: ProductEvent) -> Self {
        ProductRow {
            sku: e.sku,
            product_name: e.product_name,
            category_l1: e.category_l1,
            category_l2: e.category_l2,
            brand: e.brand,
            currency: e.currency,
            unit_cost: Cents(e.unit_cost),
            list_price: Cents(e.list_price),
            event_id: EventId::parse(&e.event_id),
            updated_at: Micros(e.updated_at),
        }
    }
}

impl From<CustomerEvent> for CustomerRow {
    fn from(e: CustomerEvent) -> Self {
        CustomerRow {
            customer_created_ts: Micros(e.customer_created_at),
            geo_id: e.geo_id,
            acquisition_channel: e.acquisition_channel,
            event_id: EventId::parse(&e.event_id),
            updated_at: Micros(e.updated_at),
        }
    }
}
