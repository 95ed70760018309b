-- Saves an address for customer $1.
insert into globalcart.shop_addresses
    (customer_id, label, recipient_name, phone, line1, line2, city, state, postal_code, country, is_default)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
returning address_id, label, recipient_name, phone, line1, line2, city, state, postal_code, country, is_default
