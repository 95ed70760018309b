-- The order of the payment with provider reference $1.
select order_id from globalcart.shop_payments where provider_payment_id = $1
