-- Removes product $2 from cart owner $1.
delete from globalcart.shop_cart_items where owner = $1 and product_id = $2
