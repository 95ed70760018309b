-- Records a code request that sent no code (address $1, purpose $2, client $3), for the rate limit.
insert into globalcart.shop_otps (email, purpose, otp_hash, client_ip, expires_at, consumed_at)
values ($1, $2, '', $3, now(), now())
