-- Customers with their home region and acquisition channel.
select c.customer_id,
       (c.customer_created_ts at time zone 'UTC')::date - date '1970-01-01' as created_day,
       c.acquisition_channel,
       coalesce(g.region, 'UNKNOWN') as region
from globalcart.dim_customer c
left join globalcart.dim_geo g on g.geo_id = c.geo_id
