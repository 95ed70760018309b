-- The geography of a delivery to country $1: the first of that country, else the home of
-- customer $2, else the first loaded.
select coalesce(
    (select geo_id from globalcart.dim_geo where lower(country) = lower($1) order by geo_id limit 1),
    (select geo_id from globalcart.shop_customers where customer_id = $2),
    (select min(geo_id) from globalcart.dim_geo),
    0)
