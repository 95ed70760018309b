-- Shipped time and delivery day of order $1, from the shipment events loaded from the stream.
select shipped_ts, delivered_dt from globalcart.fact_shipments where order_id = $1
order by updated_at desc limit 1
