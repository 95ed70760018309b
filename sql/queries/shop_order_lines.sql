-- The lines of order $1: product, name, units, list and sell price, line total with tax.
select product_id, product_name, qty, unit_list_price::float8 as unit_list_price,
       unit_sell_price::float8 as unit_sell_price, (line_net + line_tax)::float8 as line_total
from globalcart.shop_order_items where order_id = $1 order by order_item_id
