-- Locks shop order $1 (of customer $2 unless null): customer, status, payment status,
-- last order / payment events, session, last shipment event, customer email, delivery country,
-- public site address.
select o.customer_id, o.status, o.payment_status, o.order_event, o.payment_event, o.session_id,
       o.shipment_event, c.email, o.address ->> 'country' as country, o.site_url
from globalcart.shop_orders o
join globalcart.shop_customers c using (customer_id)
where o.order_id = $1 and ($2::bigint is null or o.customer_id = $2)
for update of o
