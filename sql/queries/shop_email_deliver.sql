-- Marks the pending emails of customer $1 (address $2) delivered to the in-app inbox.
update globalcart.shop_email_outbox set status = 'DELIVERED', delivered_at = now()
where status = 'PENDING' and (customer_id = $1 or (customer_id is null and to_email = $2))
