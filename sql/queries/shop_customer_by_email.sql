-- The account of address $1: id, email, name, password hash.
select customer_id, email, display_name, password_hash from globalcart.shop_customers where email = $1
