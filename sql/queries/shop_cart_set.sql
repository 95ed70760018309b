-- Sets the line of product $2 in cart owner $1 to $3 units.
update globalcart.shop_cart_items set qty = $3, updated_at = now() where owner = $1 and product_id = $2
