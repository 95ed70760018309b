-- Empties the cart of owner $1.
delete from globalcart.shop_cart_items where owner = $1
