-- Lines in cart $1 and products in the wishlist of customer $2 (null: none).
select (select count(*) from globalcart.shop_cart_items where owner = $1) as cart_count,
       (select count(*) from globalcart.shop_wishlist where customer_id = $2) as wishlist_count
