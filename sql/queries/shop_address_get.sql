-- Address $1 if it belongs to customer $2.
select address_id, label, recipient_name, phone, line1, line2, city, state, postal_code, country, is_default
from globalcart.shop_addresses where address_id = $1 and customer_id = $2
