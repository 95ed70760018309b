-- A new shop order (amounts in minor units) with its first order and payment events.
insert into globalcart.shop_orders
    (order_id, customer_id, idempotency_key, geo_id, status, payment_status, payment_method, channel,
     device, currency, gross, discount, promo_code, promo_discount, tax, total, address, session_id,
     order_event, payment_event, site_url)
values ($1, $2, $3, $4, 'CREATED', 'PENDING', $5, 'WEB', $6, $7, $8::bigint::numeric / 100,
        $9::bigint::numeric / 100, $10, $11::bigint::numeric / 100, $12::bigint::numeric / 100,
        $13::bigint::numeric / 100, $14, $15, $16, $17, $18)
