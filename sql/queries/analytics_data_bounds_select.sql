-- The last day with a completed order (null on an empty database).
select max(order_dt) - date '1970-01-01' as last_day from globalcart.vw_orders_completed
