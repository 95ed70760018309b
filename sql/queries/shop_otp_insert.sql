-- A new code for address $1, purpose $2, hash $3, pending name $4 and password hash $5,
-- requested from $6, valid $7 seconds. Older pending codes of the address are withdrawn.
with withdrawn as (
    update globalcart.shop_otps set consumed_at = now()
    where email = $1 and consumed_at is null
)
insert into globalcart.shop_otps
    (email, purpose, otp_hash, display_name, password_hash, client_ip, expires_at)
values ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))
