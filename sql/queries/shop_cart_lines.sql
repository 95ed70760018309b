-- The lines of cart owner $1: product, quantity, in the order they were added.
select product_id, qty from globalcart.shop_cart_items where owner = $1 order by added_at, product_id
