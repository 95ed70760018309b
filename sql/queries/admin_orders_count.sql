-- How many orders the monitor's filters $1-$3 match.
select count(*)
from globalcart.fact_orders o
where ($1::text is null or o.order_status = $1)
  and ($2::text is null or o.channel = $2)
  and ($3::bigint is null or o.order_id = $3 or o.customer_id = $3)
