-- The pending code of address $1: id, purpose, hash, wrong attempts, expired.
select otp_id, purpose, otp_hash, attempts, expires_at <= now() as expired
from globalcart.shop_otps
where email = $1 and consumed_at is null
order by created_at desc
limit 1
for update
