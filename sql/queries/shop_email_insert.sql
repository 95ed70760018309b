-- Queues an email: customer $1 (or null), address $2, kind $3, subject $4, body $5, order $6.
insert into globalcart.shop_email_outbox (customer_id, to_email, kind, subject, body, order_id)
values ($1, $2, $3, $4, $5, $6)
