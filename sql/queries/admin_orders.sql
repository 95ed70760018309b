-- Orders monitor: newest orders with status $1, channel $2 and order or customer id $3
-- (each null = any), page $4/$5; with the latest payment status.
select o.order_id, o.customer_id, o.order_ts, o.order_status,
       (select p.payment_status from globalcart.fact_payments p where p.order_id = o.order_id
        order by p.updated_at desc limit 1) as payment_status,
       o.channel, o.device, o.currency::text as currency, o.net_amount::float8 as net_amount
from globalcart.fact_orders o
where ($1::text is null or o.order_status = $1)
  and ($2::text is null or o.channel = $2)
  and ($3::bigint is null or o.order_id = $3 or o.customer_id = $3)
order by o.order_ts desc, o.order_id desc
limit $4 offset $5
