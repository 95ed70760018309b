-- Products $1 as checkout prices them: id, name, list price and unit cost (minor units), currency.
select product_id, product_name, (list_price * 100)::bigint, (unit_cost * 100)::bigint, currency::text
from globalcart.dim_product where product_id = any($1)
