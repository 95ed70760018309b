-- Products $1 as checkout prices them: id, name, list price and unit cost (minor units), currency.
select product_id, product_name, (list_price * 100)::bigint as list_cents,
       (unit_cost * 100)::bigint as cost_cents, currency::text as currency
from globalcart.dim_product where product_id = any($1)
