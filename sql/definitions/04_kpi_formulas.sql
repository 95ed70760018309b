-- The KPI ratios, each defined once. Every view, function and mart that shows
-- a ratio computes it from its own sums with these functions, at its grain
-- (order, day, month, period, mart); the live tiles use the same formulas in
-- api/src/kpis/measures.rs, checked against kpi_period by cli/tests/kpis.rs.
-- Ratios are 0–1 and null when the denominator is 0. They are plain SQL
-- functions (immutable, not strict), so Postgres inlines them into the query.
--
-- sql/definitions/ holds every view, materialized view, function, trigger and
-- row type of the schema, each in its current form only. `globalcart migrate`
-- applies sql/migrations/ (tables, indexes, data) and then, whenever any file
-- here changed, drops every definition and re-creates them all from these
-- files, in file order, in the same transaction.

set local search_path = globalcart;

create function kpi_conversion_rate(orders_placed numeric, product_views numeric)
returns numeric language sql immutable parallel safe as $$
    select orders_placed / nullif(product_views, 0)
$$;
comment on function kpi_conversion_rate(numeric, numeric) is 'Conversion rate: sessions that placed an order / sessions that viewed a product';

create function kpi_cart_abandonment_rate(abandoned_carts numeric, add_to_cart numeric)
returns numeric language sql immutable parallel safe as $$
    select abandoned_carts / nullif(add_to_cart, 0)
$$;
comment on function kpi_cart_abandonment_rate(numeric, numeric) is 'Cart abandonment rate: sessions that added to the cart and placed no order / sessions that added to the cart';

create function kpi_payment_failure_rate(payment_failed numeric, payment_attempts numeric)
returns numeric language sql immutable parallel safe as $$
    select payment_failed / nullif(payment_attempts, 0)
$$;
comment on function kpi_payment_failure_rate(numeric, numeric) is 'Payment failure rate: sessions with a failed payment / sessions that attempted a payment';

create function kpi_sla_breach_rate(breached_shipments numeric, shipments numeric)
returns numeric language sql immutable parallel safe as $$
    select breached_shipments / nullif(shipments, 0)
$$;
comment on function kpi_sla_breach_rate(numeric, numeric) is 'SLA breach rate: shipments delivered after their promised day / shipments';

create function kpi_aov(net_revenue_usd numeric, orders numeric)
returns numeric language sql immutable parallel safe as $$
    select net_revenue_usd / nullif(orders, 0)
$$;
comment on function kpi_aov(numeric, numeric) is 'Average order value: net revenue (USD, ex tax) / completed orders';

create function kpi_margin(profit_usd numeric, net_revenue_usd numeric)
returns numeric language sql immutable parallel safe as $$
    select profit_usd / nullif(net_revenue_usd, 0)
$$;
comment on function kpi_margin(numeric, numeric) is 'A margin: gross or net profit / net revenue (USD)';
