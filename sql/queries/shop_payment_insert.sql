-- The pending payment $1 of order $2 with provider $3 and its reference $4; amount $5 (minor units).
insert into globalcart.shop_payments (payment_id, order_id, provider, provider_payment_id, status, amount, currency, method)
values ($1, $2, $3, $4, 'PENDING', $5::bigint::numeric / 100, $6, $7)
