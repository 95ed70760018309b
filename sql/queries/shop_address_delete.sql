-- Deletes address $1 of customer $2.
delete from globalcart.shop_addresses where address_id = $1 and customer_id = $2
