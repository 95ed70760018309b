-- Shop orders with a transition due: ship ($1 s after payment), deliver ($2 s after
-- payment) or expire (unpaid $3 s after checkout); at most 100 at a time.
select order_id,
       case status when 'CONFIRMED' then 'ship' when 'SHIPPED' then 'deliver' else 'expire' end as step
from globalcart.shop_orders
where (status = 'CONFIRMED' and paid_at <= now() - make_interval(secs => $1))
   or (status = 'SHIPPED' and paid_at <= now() - make_interval(secs => $2))
   or (status = 'CREATED' and created_at <= now() - make_interval(secs => $3))
order by updated_at
limit 100
