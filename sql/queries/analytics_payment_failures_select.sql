-- Failed payment attempts (FAILED or DECLINED) by customer and day, before the as-of bound ($1).
select o.customer_id,
       p.payment_dt - date '1970-01-01' as payment_day,
       count(*)::int8 as failed_payments
from globalcart.vw_payments_enriched p
join globalcart.fact_orders o on o.order_id = p.order_id
where p.is_failed
  and o.order_ts < $1::text::timestamptz
group by o.customer_id, p.payment_dt
