-- The order made with idempotency key $1: id, customer, payment, status, total (minor units), currency.
select o.order_id, o.customer_id, p.payment_id, o.status, (o.total * 100)::bigint as total_cents,
       o.currency::text as currency
from globalcart.shop_orders o join globalcart.shop_payments p using (order_id)
where o.idempotency_key = $1
