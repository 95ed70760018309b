-- Stores a transition of shop order $1: status $2, payment status $3, last events $4-$6,
-- cancel reason $7, payment failure $8, gateway fee $9 (minor units); stamps the times.
with p as (
    update globalcart.shop_payments
    set status = $3, failure_reason = $8, gateway_fee = $9::bigint::numeric / 100, updated_at = now()
    where order_id = $1
)
update globalcart.shop_orders
set status = $2, payment_status = $3, order_event = $4, payment_event = $5, shipment_event = $6,
    paid_at = case when $3 = 'CAPTURED' then coalesce(paid_at, now()) else paid_at end,
    shipped_at = case when $2 = 'SHIPPED' then now() else shipped_at end,
    delivered_at = case when $2 = 'DELIVERED' then now() else delivered_at end,
    cancelled_at = case when $2 = 'CANCELLED' then coalesce(cancelled_at, now()) else cancelled_at end,
    cancel_reason = coalesce($7, cancel_reason),
    updated_at = now()
where order_id = $1
