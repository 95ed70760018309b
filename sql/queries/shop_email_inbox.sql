-- The inbox of customer $1 with address $2, newest first (codes excluded: they are spent).
select email_id, kind, subject, body, status, created_at
from globalcart.shop_email_outbox
where (customer_id = $1 or (customer_id is null and to_email = $2)) and kind <> 'OTP'
order by created_at desc, email_id desc
limit 100
