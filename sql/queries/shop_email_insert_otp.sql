-- Queues a sign-in email: address $1, kind $2 (OTP: a code; OTP_NOTICE: why no
-- code was sent), subject $3, body $4, requested by visitor $5.
insert into globalcart.shop_email_outbox (to_email, kind, subject, body, requested_by)
values ($1, $2, $3, $4, $5)
