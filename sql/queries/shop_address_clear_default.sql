-- Unsets the default address of customer $1 (except address $2).
update globalcart.shop_addresses set is_default = false, updated_at = now()
where customer_id = $1 and is_default and address_id <> $2
