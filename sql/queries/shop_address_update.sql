-- Changes address $1 of customer $2 (no row: not theirs).
update globalcart.shop_addresses
set label = $3, recipient_name = $4, phone = $5, line1 = $6, line2 = $7, city = $8, state = $9,
    postal_code = $10, country = $11, is_default = $12, updated_at = now()
where address_id = $1 and customer_id = $2
returning address_id, label, recipient_name, phone, line1, line2, city, state, postal_code, country, is_default
