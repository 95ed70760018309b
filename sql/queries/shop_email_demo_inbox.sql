-- Demo inbox: the latest code emails sent to address $1.
select email_id, kind, subject, body, status, created_at
from globalcart.shop_email_outbox
where to_email = $1 and kind = 'OTP'
order by created_at desc
limit 10
