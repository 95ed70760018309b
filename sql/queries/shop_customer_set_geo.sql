-- Moves customer $1's home to geography $2 (no row when it is already there).
update globalcart.shop_customers set geo_id = $2 where customer_id = $1 and geo_id is distinct from $2
