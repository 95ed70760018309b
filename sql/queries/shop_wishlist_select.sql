-- The wishlist of customer $1, newest first.
select product_id from globalcart.shop_wishlist where customer_id = $1 order by created_at desc
