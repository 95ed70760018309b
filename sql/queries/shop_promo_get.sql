-- Promo code $1: code, type, value (minor units, or percent × 100), cap, minimum order
-- (minor units), active, expired, once per customer.
select code, discount_type, (discount_value * 100)::bigint as discount_value,
       (max_discount * 100)::bigint as max_discount,
       (min_order_amount * 100)::bigint as min_order, active,
       coalesce(expires_at <= now(), false) as expired, once_per_customer
from globalcart.shop_promo_codes where code = $1
