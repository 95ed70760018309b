-- The account $1: id, email, name.
select customer_id, email, display_name from globalcart.shop_customers where customer_id = $1
