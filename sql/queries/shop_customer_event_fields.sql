-- What the customer event of account $1 carries: sign-up time (µs), home geography
-- and its country, region, city and currency. Null when no geography is loaded.
select (extract(epoch from c.created_at) * 1000000)::bigint as created_micros, g.geo_id,
       g.country, g.region, g.city, g.currency::text as currency
from globalcart.shop_customers c
join globalcart.dim_geo g on g.geo_id = coalesce(c.geo_id, (select min(geo_id) from globalcart.dim_geo))
where c.customer_id = $1
