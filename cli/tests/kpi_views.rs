//! The KPI layer (migrations 005 and 006): one revenue definition and one
//! completed-order scope in every view, no fan-out, hand-checked P&L, snapshots,
//! and every view documented and runnable on an empty database.

mod helpers;

use globalcart_producers::generator::Preset;
use globalcart_producers::publish::Faults;
use helpers::TestEnv;
use tokio_postgres::Client;

const COMPLETED: &str = "('CONFIRMED', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'RETURNED')";

const BEFORE_AFTER: &str = include_str!("../../sql/queries/kpi_before_after.sql");

/// Products, customers and geographies of the hand-built orders (ids far above
/// the generator's, so they can be added to a streamed history).
const HAND_DIMS: &str = "
insert into globalcart.dim_geo (geo_id, country, region, city, currency, event_id, updated_at) values
    (9001, 'Germany', 'Europe', 'Berlin', 'EUR', gen_random_uuid(), now()),
    (9002, 'United States', 'North America', 'Austin', 'USD', gen_random_uuid(), now());
insert into globalcart.dim_customer (customer_id, customer_created_ts, geo_id, acquisition_channel, event_id, updated_at) values
    (9001, '2026-01-01T00:00:00Z', 9001, 'ORGANIC', gen_random_uuid(), now()),
    (9002, '2026-01-01T00:00:00Z', 9002, 'EMAIL', gen_random_uuid(), now());
insert into globalcart.dim_product (product_id, sku, product_name, category_l1, category_l2, brand, currency, unit_cost, list_price, event_id, updated_at) values
    (9001, 'SKU-9001', 'Hand Lamp', 'Home', 'Lighting', 'Acme', 'INR', 2075.00, 4980.00, gen_random_uuid(), now()),
    (9002, 'SKU-9002', 'Hand Mug', 'Kitchen', 'Mugs', 'Acme', 'INR', 996.00, 4150.00, gen_random_uuid(), now());
";

/// Order 9001 in EUR, delivered: line 90011 (2 × list 60, sell 40, cost 25,
/// tax 5.60) and line 90012 (1 × 20, cost 12, tax 1.40): net 100, tax 7.
/// One shipment costing 10 (SLA breached); a FAILED payment whose 0.50 fee must
/// be ignored and a CAPTURED one with a 3.00 fee; two returns of line 90011 of
/// 42.80 each (tax included), the second one restocked.
const HAND_ORDER_EUR: &str = "
insert into globalcart.fact_orders (order_id, customer_id, geo_id, order_ts, order_status, channel, device, currency, gross_amount, discount_amount, tax_amount, net_amount, event_id, updated_at) values
    (9001, 9001, 9001, '2026-03-10T10:00:00Z', 'DELIVERED', 'WEB', 'DESKTOP', 'EUR', 140.00, 40.00, 7.00, 100.00, gen_random_uuid(), now());
insert into globalcart.fact_order_items (order_item_id, order_id, product_id, qty, unit_list_price, unit_sell_price, unit_cost, line_discount, line_tax, line_net_revenue, event_id, updated_at) values
    (90011, 9001, 9001, 2, 60.00, 40.00, 25.00, 40.00, 5.60, 80.00, gen_random_uuid(), now()),
    (90012, 9001, 9002, 1, 20.00, 20.00, 12.00, 0.00, 1.40, 20.00, gen_random_uuid(), now());
insert into globalcart.fact_shipments (shipment_id, order_id, fc_id, carrier, shipment_status, currency, shipping_cost, shipped_ts, promised_delivery_dt, delivered_dt, sla_breached_flag, event_id, updated_at) values
    (9001, 9001, 1, 'DHL', 'DELIVERED', 'EUR', 10.00, '2026-03-11T08:00:00Z', '2026-03-13', '2026-03-15', true, gen_random_uuid(), now());
insert into globalcart.fact_payments (payment_id, order_id, payment_method, payment_status, payment_provider, currency, amount, gateway_fee_amount, refund_amount, authorized_ts, captured_ts, failure_reason, event_id, updated_at) values
    (90011, 9001, 'CARD', 'FAILED', 'VISA', 'EUR', 107.00, 0.50, 0, null, null, 'BANK_DECLINE', gen_random_uuid(), now()),
    (90012, 9001, 'CARD', 'CAPTURED', 'VISA', 'EUR', 107.00, 3.00, 85.60, '2026-03-10T10:01:00Z', '2026-03-10T10:02:00Z', null, gen_random_uuid(), now());
insert into globalcart.fact_returns (return_id, order_id, order_item_id, product_id, return_ts, return_reason, return_status, currency, refund_amount, restocked_flag, event_id, updated_at) values
    (9001, 9001, 90011, 9001, '2026-03-20T09:00:00Z', 'DAMAGED', 'REFUNDED', 'EUR', 42.80, false, gen_random_uuid(), now()),
    (9002, 9001, 90011, 9001, '2026-03-21T09:00:00Z', 'CHANGED_MIND', 'REFUNDED', 'EUR', 42.80, true, gen_random_uuid(), now());
";

/// Order 9002 in USD, CONFIRMED (paid, not shipped yet): net 50, cost 30, fee 1.
const HAND_ORDER_CONFIRMED: &str = "
insert into globalcart.fact_orders (order_id, customer_id, geo_id, order_ts, order_status, channel, device, currency, gross_amount, discount_amount, tax_amount, net_amount, event_id, updated_at) values
    (9002, 9002, 9002, '2026-03-11T10:00:00Z', 'CONFIRMED', 'APP', 'MOBILE', 'USD', 50.00, 0.00, 3.50, 50.00, gen_random_uuid(), now());
insert into globalcart.fact_order_items (order_item_id, order_id, product_id, qty, unit_list_price, unit_sell_price, unit_cost, line_discount, line_tax, line_net_revenue, event_id, updated_at) values
    (90021, 9002, 9002, 1, 50.00, 50.00, 30.00, 0.00, 3.50, 50.00, gen_random_uuid(), now());
insert into globalcart.fact_payments (payment_id, order_id, payment_method, payment_status, payment_provider, currency, amount, gateway_fee_amount, refund_amount, authorized_ts, captured_ts, failure_reason, event_id, updated_at) values
    (90021, 9002, 'WALLET', 'CAPTURED', 'PAYPAL', 'USD', 53.50, 1.00, 0, '2026-03-11T10:01:00Z', '2026-03-11T10:02:00Z', null, gen_random_uuid(), now());
";

/// Order 9003 in USD, CANCELLED after a DECLINED payment (net 30), and four
/// sessions: A buys 9002, B abandons a cart (product 9002 added twice), C only
/// browses, D fails to pay for 9003.
const HAND_CANCELLED_AND_FUNNEL: &str = "
insert into globalcart.fact_orders (order_id, customer_id, geo_id, order_ts, order_status, channel, device, currency, gross_amount, discount_amount, tax_amount, net_amount, event_id, updated_at) values
    (9003, 9002, 9002, '2026-03-12T10:00:00Z', 'CANCELLED', 'APP', 'MOBILE', 'USD', 30.00, 0.00, 2.10, 30.00, gen_random_uuid(), now());
insert into globalcart.fact_order_items (order_item_id, order_id, product_id, qty, unit_list_price, unit_sell_price, unit_cost, line_discount, line_tax, line_net_revenue, event_id, updated_at) values
    (90031, 9003, 9001, 1, 30.00, 30.00, 20.00, 0.00, 2.10, 30.00, gen_random_uuid(), now());
insert into globalcart.fact_payments (payment_id, order_id, payment_method, payment_status, payment_provider, currency, amount, gateway_fee_amount, refund_amount, authorized_ts, captured_ts, failure_reason, event_id, updated_at) values
    (90031, 9003, 'CARD', 'DECLINED', 'VISA', 'USD', 32.10, 0.00, 0, null, null, 'INSUFFICIENT_FUNDS', gen_random_uuid(), now());
insert into globalcart.fact_funnel_events (event_id, event_ts, session_id, customer_id, product_id, order_id, stage, channel, device, failure_reason)
select gen_random_uuid(), e.ts::timestamptz, e.session_id, e.customer_id, e.product_id, e.order_id,
       e.stage::globalcart.funnel_stage, 'APP', 'MOBILE', e.reason
from (values
    ('2026-03-11T09:50:00Z', 'A', 9002, 9002, null, 'VIEW_PRODUCT', null),
    ('2026-03-11T09:51:00Z', 'A', 9002, 9002, null, 'ADD_TO_CART', null),
    ('2026-03-11T09:52:00Z', 'A', 9002, null, null, 'VIEW_CART', null),
    ('2026-03-11T09:53:00Z', 'A', 9002, null, null, 'CHECKOUT_STARTED', null),
    ('2026-03-11T09:54:00Z', 'A', 9002, null, 9002, 'PAYMENT_ATTEMPTED', null),
    ('2026-03-11T09:55:00Z', 'A', 9002, null, 9002, 'ORDER_PLACED', null),
    ('2026-03-10T12:00:00Z', 'B', null, 9002, null, 'VIEW_PRODUCT', null),
    ('2026-03-10T12:01:00Z', 'B', null, 9002, null, 'ADD_TO_CART', null),
    ('2026-03-10T12:02:00Z', 'B', null, 9002, null, 'ADD_TO_CART', null),
    ('2026-03-10T12:03:00Z', 'B', null, null, null, 'VIEW_CART', null),
    ('2026-03-10T13:00:00Z', 'C', null, 9001, null, 'VIEW_PRODUCT', null),
    ('2026-03-12T09:50:00Z', 'D', 9002, 9001, null, 'VIEW_PRODUCT', null),
    ('2026-03-12T09:51:00Z', 'D', 9002, 9001, null, 'ADD_TO_CART', null),
    ('2026-03-12T09:52:00Z', 'D', 9002, null, null, 'CHECKOUT_STARTED', null),
    ('2026-03-12T09:53:00Z', 'D', 9002, null, 9003, 'PAYMENT_ATTEMPTED', null),
    ('2026-03-12T09:54:00Z', 'D', 9002, null, 9003, 'PAYMENT_FAILED', 'INSUFFICIENT_FUNDS')
) as e(ts, session_id, customer_id, product_id, order_id, stage, reason);
";

/// The rows of `sql`, every column read as text (`null` for NULL).
async fn rows(client: &Client, sql: &str) -> Vec<Vec<String>> {
    client
        .query(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|r| {
            (0..r.len())
                .map(|i| {
                    r.get::<_, Option<String>>(i)
                        .unwrap_or_else(|| "null".into())
                })
                .collect()
        })
        .collect()
}

/// The single row of `sql`, every column read as text.
async fn row(client: &Client, sql: &str) -> Vec<String> {
    let mut all = rows(client, sql).await;
    assert_eq!(all.len(), 1, "one row expected from {sql}");
    all.remove(0)
}

/// A fresh migrated database holding the three hand-built orders and sessions.
async fn hand_built() -> (TestEnv, Client) {
    let env = TestEnv::with_topics("unused").await;
    let client = env.client().await;
    for sql in [
        HAND_DIMS,
        HAND_ORDER_EUR,
        HAND_ORDER_CONFIRMED,
        HAND_CANCELLED_AND_FUNNEL,
    ] {
        client.batch_execute(sql).await.expect("hand-built rows");
    }
    (env, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_a_tiny_stream_every_view_reports_the_same_net_revenue_without_fan_out() {
    let env = TestEnv::new().await;
    env.produce(Preset::Tiny, 42, Faults::default()).await;
    env.consume_until_idle(5).await;
    let c = env.client().await;

    // Computed independently of the views, with a plain query.
    let plain = row(
        &c,
        &format!(
            "select count(*)::text, sum(o.net_amount * x.fx_to_reporting)::numeric(20,4)::text
             from globalcart.fact_orders o
             join globalcart.dim_currency x on x.currency = o.currency
             where o.order_status in {COMPLETED}"
        ),
    )
    .await;
    let orders: i64 = plain[0].parse().unwrap();
    assert!(
        orders > 300,
        "tiny has about 400 orders, {orders} completed"
    );

    let totals = row(
        &c,
        "select orders::text, net_revenue_usd::numeric(20,4)::text from globalcart.vw_kpi_totals",
    )
    .await;
    assert_eq!(
        totals, plain,
        "vw_kpi_totals = Σ net × fx of completed orders"
    );

    let daily = row(
        &c,
        "select sum(orders)::text, sum(net_revenue_usd)::numeric(20,4)::text from globalcart.vw_kpi_daily",
    )
    .await;
    assert_eq!(daily, plain, "Σ vw_kpi_daily = vw_kpi_totals");
    let calendar = row(
        &c,
        "select (count(*) = max(kpi_dt) - min(kpi_dt) + 1)::text, (count(*) > count(*) filter (where orders > 0))::text
         from globalcart.vw_kpi_daily",
    )
    .await;
    assert_eq!(
        calendar,
        ["true", "true"],
        "every day present, days without orders included"
    );

    let order_pnl = row(
        &c,
        "select sum(net_revenue_usd)::numeric(20,4)::text, sum(cogs_usd)::numeric(20,4)::text,
                sum(shipping_cost_usd)::numeric(20,4)::text, sum(gateway_fee_usd)::numeric(20,4)::text,
                sum(refund_ex_tax_usd)::numeric(20,4)::text, sum(net_profit_usd)::numeric(20,4)::text
         from globalcart.vw_finance_order_pnl",
    )
    .await;
    let item_pnl = row(
        &c,
        "select sum(line_net_revenue_usd)::numeric(20,4)::text, sum(line_cogs_usd)::numeric(20,4)::text,
                sum(alloc_shipping_cost_usd)::numeric(20,4)::text, sum(alloc_gateway_fee_usd)::numeric(20,4)::text,
                sum(line_refund_ex_tax_usd)::numeric(20,4)::text, sum(line_net_profit_usd)::numeric(20,4)::text
         from globalcart.vw_finance_item_pnl",
    )
    .await;
    assert_eq!(order_pnl, item_pnl, "order P&L = Σ item P&L");
    assert_eq!(order_pnl[0], plain[1], "P&L revenue = the one net revenue");

    // Costs computed independently: each shipment and non-failed payment once.
    let costs = row(
        &c,
        &format!(
            "select (select sum(s.shipping_cost * x.fx_to_reporting)::numeric(20,4)::text
                     from globalcart.fact_shipments s join globalcart.dim_currency x on x.currency = s.currency
                     where s.order_id in (select order_id from globalcart.fact_orders where order_status in {COMPLETED})),
                    (select sum(p.gateway_fee_amount * x.fx_to_reporting)::numeric(20,4)::text
                     from globalcart.fact_payments p join globalcart.dim_currency x on x.currency = p.currency
                     where p.payment_status not in ('FAILED', 'DECLINED')
                       and p.order_id in (select order_id from globalcart.fact_orders where order_status in {COMPLETED}))"
        ),
    )
    .await;
    assert_eq!(costs, [order_pnl[2].clone(), order_pnl[3].clone()]);

    for dim in ["region", "channel"] {
        let by_dim = row(
            &c,
            &format!(
                "select sum(orders)::text, sum(net_revenue_usd)::numeric(20,4)::text
                 from globalcart.vw_kpi_daily_by_dim where dim = '{dim}'"
            ),
        )
        .await;
        assert_eq!(by_dim, plain, "by {dim} sums to the total");
    }
    let by_category = row(
        &c,
        "select (sum(orders) >= (select orders from globalcart.vw_kpi_totals))::text,
                sum(net_revenue_usd)::numeric(20,4)::text
         from globalcart.vw_kpi_daily_by_dim where dim = 'category'",
    )
    .await;
    assert_eq!(by_category, ["true".to_string(), plain[1].clone()]);

    let leakage = row(
        &c,
        "select (l.revenue_lost_cart_abandonment_usd::numeric(20,4) = (select sum(revenue_lost_cart_abandonment_usd)::numeric(20,4) from globalcart.vw_funnel_product_leakage))::text,
                (l.revenue_lost_payment_failures_usd::numeric(20,4) = (select sum(revenue_lost_payment_failures_usd)::numeric(20,4) from globalcart.vw_funnel_product_leakage))::text,
                (select sum(failed_payments) from globalcart.vw_funnel_payment_failures)::text,
                (select count(*) from globalcart.fact_payments where payment_status in ('FAILED', 'DECLINED'))::text
         from globalcart.vw_revenue_leakage l",
    )
    .await;
    assert_eq!(
        leakage[..2],
        ["true", "true"],
        "product leakage sums to the total"
    );
    assert_eq!(
        leakage[2], leakage[3],
        "payment failures count payments, not lines"
    );

    let ratios = row(
        &c,
        "select (conversion_rate between 0 and 1 and cart_abandonment_rate between 0 and 1
                 and payment_failure_rate between 0 and 1 and sla_breach_rate between 0 and 1
                 and gross_margin between -1 and 1)::text
         from globalcart.vw_kpi_totals",
    )
    .await;
    assert_eq!(ratios, ["true"], "ratios are 0–1");
    env.cleanup().await;
}

#[tokio::test]
async fn a_hand_built_order_has_the_p_and_l_computed_by_hand() {
    let (env, c) = hand_built().await;

    // Order 9001 in EUR, shown back in EUR: revenue 100, COGS 2×25 + 12 = 62,
    // shipping 10 once, fees 3 (the FAILED payment's fee ignored), refunds
    // 2 × 42.80 = 85.60 with tax = 80 without (× 100/107), restocked half of
    // line 90011 gives back 25 of COGS: profit 38 − 10 − 3 − 80 + 25 = −30.
    let order = row(
        &c,
        "select round(net_revenue_usd / fx_to_reporting, 4)::text, round(cogs_usd / fx_to_reporting, 4)::text,
                round(gross_profit_usd / fx_to_reporting, 4)::text, round(shipping_cost_usd / fx_to_reporting, 4)::text,
                round(gateway_fee_usd / fx_to_reporting, 4)::text, round(refund_amount_usd / fx_to_reporting, 4)::text,
                round(refund_ex_tax_usd / fx_to_reporting, 4)::text, round(restocked_cogs_usd / fx_to_reporting, 4)::text,
                round(net_profit_usd / fx_to_reporting, 4)::text, round(gross_margin, 4)::text,
                discount_heavy::text, has_return::text, sla_breached::text, loss_order::text,
                (net_revenue_usd = 100.00 * (select fx_to_reporting from globalcart.dim_currency where currency = 'EUR'))::text
         from globalcart.vw_finance_order_pnl where order_id = 9001",
    )
    .await;
    assert_eq!(
        order,
        [
            "100.0000", "62.0000", "38.0000", "10.0000", "3.0000", "85.6000", "80.0000", "25.0000",
            "-30.0000", "0.3800", "false", "true", "true", "true", "true"
        ]
    );

    // Lines: shares 80/100 and 20/100 of shipping and fees; both returns on
    // line 90011, counted once each (no doubling of the order costs).
    let lines = rows(
        &c,
        "select order_item_id::text, round(revenue_share, 4)::text,
                round(alloc_shipping_cost_usd / fx_to_reporting, 4)::text, round(alloc_gateway_fee_usd / fx_to_reporting, 4)::text,
                returns::text, round(line_refund_ex_tax_usd / fx_to_reporting, 4)::text,
                round(restocked_cogs_usd / fx_to_reporting, 4)::text, round(line_net_profit_usd / fx_to_reporting, 4)::text,
                has_return::text, discount_heavy::text
         from globalcart.vw_finance_item_pnl where order_id = 9001 order by order_item_id",
    )
    .await;
    assert_eq!(
        lines,
        [
            [
                "90011", "0.8000", "8.0000", "2.4000", "2", "80.0000", "25.0000", "-35.4000",
                "true", "true"
            ],
            [
                "90012", "0.2000", "2.0000", "0.6000", "0", "0.0000", "0.0000", "5.4000", "false",
                "false"
            ],
        ]
    );

    // The P&L of a window of order times (008) is the view's, costs and
    // refunds included even when they happen after the window; the live
    // buckets (009) carry the same sums.
    let day = "'2026-03-10T00:00:00Z'::timestamptz, '2026-03-11T00:00:00Z'::timestamptz";
    let windowed = row(
        &c,
        &format!(
            "select string_agg(order_id::text, ','), round(sum(net_profit_usd), 8)::text,
                    round(sum(cogs_usd), 8)::text, count(*) filter (where loss_order)::text
             from globalcart.finance_order_pnl_between({day})"
        ),
    )
    .await;
    let viewed = row(
        &c,
        "select string_agg(order_id::text, ','), round(sum(net_profit_usd), 8)::text,
                round(sum(cogs_usd), 8)::text, count(*) filter (where loss_order)::text
         from globalcart.vw_finance_order_pnl where order_dt = '2026-03-10'",
    )
    .await;
    assert_eq!(windowed, viewed);
    assert_eq!(windowed[0], "9001");
    let bucket = row(
        &c,
        &format!(
            "select round(net_profit_usd::numeric, 6)::text, round(cogs_usd::numeric, 6)::text, loss_orders::text
             from globalcart.kpi_buckets({day}, 'day') where dim = 'all'"
        ),
    )
    .await;
    let rounded = row(
        &c,
        "select round(sum(net_profit_usd), 6)::text, round(sum(cogs_usd), 6)::text, count(*) filter (where loss_order)::text
         from globalcart.vw_finance_order_pnl where order_dt = '2026-03-10'",
    )
    .await;
    assert_eq!(bucket, rounded);

    // Scope: CONFIRMED 9002 counts, CANCELLED 9003 does not; money in USD.
    let totals = row(
        &c,
        "select orders::text, round(net_profit_usd - (-30.00 * (select fx_to_reporting from globalcart.dim_currency where currency = 'EUR') + 19.00), 8)::text,
                (net_revenue_usd = 100.00 * (select fx_to_reporting from globalcart.dim_currency where currency = 'EUR') + 50.00)::text,
                shipments::text, sla_breach_rate::text
         from globalcart.vw_kpi_totals",
    )
    .await;
    assert_eq!(
        totals,
        ["2", "0.00000000", "true", "1", "1.00000000000000000000"]
    );

    // Product and customer P&L are the same lines regrouped.
    let product = row(
        &c,
        "select round(net_profit_usd / (select fx_to_reporting from globalcart.dim_currency where currency = 'EUR'), 4)::text,
                loss_product::text, returned_lines::text
         from globalcart.vw_finance_product_pnl where product_id = 9001",
    )
    .await;
    assert_eq!(product, ["-35.4000", "true", "1"]);
    let customer = row(
        &c,
        "select orders::text, region, loss_customer::text from globalcart.vw_finance_customer_pnl where customer_id = 9001",
    )
    .await;
    assert_eq!(customer, ["1", "Europe", "true"]);

    // Days from the first to the last activity (10 → 21 March), gaps at 0.
    let growth = row(
        &c,
        "select count(*)::text, count(*) filter (where net_revenue_usd = 0)::text,
                (max(mtd_net_revenue_usd) = (select net_revenue_usd from globalcart.vw_kpi_totals))::text
         from globalcart.vw_revenue_growth_daily",
    )
    .await;
    assert_eq!(growth, ["12", "10", "true"]);
    env.drop_database().await;
}

#[tokio::test]
async fn a_hand_built_funnel_gives_the_rates_and_leakage_computed_by_hand() {
    let (env, c) = hand_built().await;

    // 4 sessions viewed, 3 added, 1 abandoned before payment (B), 2 attempted
    // payment, 1 failed (D), 1 ordered (A).
    let funnel = row(
        &c,
        "select product_views::text, add_to_cart::text, abandoned_carts::text, payment_attempts::text,
                payment_failed::text, orders_placed::text, round(conversion_rate, 4)::text,
                round(cart_abandonment_rate, 4)::text, round(payment_failure_rate, 4)::text,
                payments::text, failed_payments::text, round(failed_payment_rate, 4)::text
         from globalcart.vw_kpi_totals",
    )
    .await;
    assert_eq!(
        funnel,
        ["4", "3", "1", "2", "1", "1", "0.2500", "0.3333", "0.5000", "4", "2", "0.5000"]
    );

    // Lost baskets: 9003 (net 30 USD) only; 9001 failed once but was paid.
    // Abandonment: one distinct (B, 9002) add at list 4150 INR × the sell/list
    // ratio of the completed lines (net / list value, in USD).
    let leakage = row(
        &c,
        "select failed_payment_orders::text, round(revenue_lost_payment_failures_usd, 4)::text, abandoned_cart_lines::text,
                (round(revenue_lost_cart_abandonment_usd, 8) = round(
                    4150.00 * (select fx_to_reporting from globalcart.dim_currency where currency = 'INR')
                    * (100.00 * e.fx + 50.00) / (140.00 * e.fx + 50.00), 8))::text,
                round(refunds_leakage_usd / e.fx, 4)::text
         from globalcart.vw_revenue_leakage,
              (select fx_to_reporting as fx from globalcart.dim_currency where currency = 'EUR') e",
    )
    .await;
    assert_eq!(leakage, ["1", "30.0000", "1", "true", "80.0000"]);

    // Failed payments are counted per payment (order 9001 has 2 lines).
    let failures = rows(
        &c,
        "select payment_dt::text, failure_reason, failed_payments::text, failed_orders::text
         from globalcart.vw_funnel_payment_failures order by payment_dt",
    )
    .await;
    assert_eq!(
        failures,
        [
            ["2026-03-10", "BANK_DECLINE", "1", "1"],
            ["2026-03-12", "INSUFFICIENT_FUNDS", "1", "1"],
        ]
    );
    env.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_snapshot_before_and_after_more_data_differs_by_exactly_the_change() {
    let env = TestEnv::new().await;
    env.produce(Preset::Tiny, 42, Faults::default()).await;
    env.consume_until_idle(5).await;
    let c = env.client().await;

    let before: i32 = c
        .query_one("select globalcart.snapshot_kpis('before')", &[])
        .await
        .unwrap()
        .get(0);
    c.batch_execute(HAND_DIMS).await.unwrap();
    c.batch_execute(HAND_ORDER_CONFIRMED).await.unwrap();
    let after: i32 = c
        .query_one("select globalcart.snapshot_kpis('after')", &[])
        .await
        .unwrap()
        .get(0);
    assert!(after > before);

    let diff = c
        .query(
            &format!(
                "select metric_name, before_value::text, after_value::text, delta::text,
                        (delta = after_value - before_value)::text
                 from ({BEFORE_AFTER}) d"
            ),
            &[&"before", &"after"],
        )
        .await
        .unwrap();
    assert_eq!(diff.len(), 16, "the 16 snapshot metrics");
    let delta = |name: &str| -> String {
        let r = diff
            .iter()
            .find(|r| r.get::<_, String>(0) == name)
            .unwrap_or_else(|| panic!("metric {name} missing"));
        r.get(3)
    };
    for r in &diff {
        let name: String = r.get(0);
        assert_eq!(
            r.get::<_, String>(4),
            "true",
            "{name}: delta = after − before"
        );
    }
    // The change: one CONFIRMED order, net 50 USD, COGS 30, fee 1, nothing else.
    for (name, expected) in [
        ("orders_total", "1.0000"),
        ("net_revenue_total", "50.0000"),
        ("cogs_total", "30.0000"),
        ("gross_profit_total", "20.0000"),
        ("gateway_fee_total", "1.0000"),
        ("net_profit_total", "19.0000"),
        ("shipping_cost_total", "0.0000"),
        ("refund_amount_total", "0.0000"),
        ("loss_orders_total", "0.0000"),
        ("conversion_rate", "0.0000"),
        ("revenue_lost_due_to_failures", "0.0000"),
    ] {
        assert_eq!(delta(name), expected, "{name}");
    }
    let after_revenue = row(
        &c,
        &format!(
            "select (s.metric_value = round(t.net_revenue_usd, 4))::text
             from globalcart.kpi_snapshots s, globalcart.vw_kpi_totals t
             where s.snapshot_id = {after} and s.metric_name = 'net_revenue_total'"
        ),
    )
    .await;
    assert_eq!(after_revenue, ["true"], "the snapshot reads vw_kpi_totals");
    env.cleanup().await;
}

#[tokio::test]
async fn every_view_has_a_comment_and_runs_on_an_empty_database() {
    let env = TestEnv::with_topics("unused").await;
    let c = env.client().await;
    let views: Vec<String> = rows(
        &c,
        "select c.relname::text from pg_class c
         join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'globalcart'
         where c.relkind = 'v' order by 1",
    )
    .await
    .into_iter()
    .map(|mut r| r.remove(0))
    .collect();
    for v in [
        "vw_orders_core",
        "vw_orders_completed",
        "vw_finance_order_pnl",
        "vw_finance_item_pnl",
        "vw_finance_product_pnl",
        "vw_finance_customer_pnl",
        "vw_kpi_daily",
        "vw_kpi_totals",
        "vw_kpi_daily_by_dim",
        "vw_funnel_daily_metrics",
        "vw_revenue_leakage",
        "vw_funnel_product_leakage",
        "vw_funnel_payment_failures",
        "vw_revenue_growth_daily",
        "vw_revenue_growth_monthly",
        "vw_sla",
        "vw_returns_enriched",
        "vw_payments_enriched",
    ] {
        assert!(views.iter().any(|x| x == v), "view {v} exists");
    }
    let undocumented = rows(
        &c,
        "select c.relname::text from pg_class c
         join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'globalcart'
         where c.relkind = 'v' and obj_description(c.oid, 'pg_class') is null",
    )
    .await;
    assert!(
        undocumented.is_empty(),
        "views without a comment: {undocumented:?}"
    );

    for v in &views {
        c.query(&format!("select * from globalcart.{v}"), &[])
            .await
            .unwrap_or_else(|e| panic!("{v} fails on an empty database: {e}"));
    }
    let totals = row(
        &c,
        "select orders::text, net_revenue_usd::text, net_profit_usd::text, (conversion_rate is null)::text
         from globalcart.vw_kpi_totals",
    )
    .await;
    assert_eq!(totals, ["0", "0", "0", "true"]);
    let daily = row(&c, "select count(*)::text from globalcart.vw_kpi_daily").await;
    assert_eq!(daily, ["0"]);
    let ratio = row(
        &c,
        "select sell_to_list_ratio::text from globalcart.vw_revenue_leakage",
    )
    .await;
    assert_eq!(ratio, ["0.88"]);

    let id: i32 = c
        .query_one("select globalcart.snapshot_kpis('empty')", &[])
        .await
        .unwrap()
        .get(0);
    let snapshot = row(
        &c,
        &format!(
            "select count(*)::text, count(*) filter (where metric_value = 0)::text
             from globalcart.kpi_snapshots where snapshot_id = {id}"
        ),
    )
    .await;
    assert_eq!(snapshot, ["16", "16"]);
    env.drop_database().await;
}
