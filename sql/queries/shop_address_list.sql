-- The addresses of customer $1, the default first.
select address_id, label, recipient_name, phone, line1, line2, city, state, postal_code, country, is_default
from globalcart.shop_addresses where customer_id = $1 order by is_default desc, address_id
