-- Has customer $1 an order with promo code $2 that is not cancelled?
select exists (
    select 1 from globalcart.shop_orders
    where customer_id = $1 and promo_code = $2 and status <> 'CANCELLED'
)
