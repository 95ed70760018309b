-- The provider reference of order $1's payment.
select provider_payment_id from globalcart.shop_payments where order_id = $1
