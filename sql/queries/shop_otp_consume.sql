-- Uses code $1.
update globalcart.shop_otps set consumed_at = now() where otp_id = $1
