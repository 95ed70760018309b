-- Removes product $2 from the wishlist of customer $1.
delete from globalcart.shop_wishlist where customer_id = $1 and product_id = $2
