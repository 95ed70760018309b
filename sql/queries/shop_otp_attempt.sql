-- Counts a wrong guess of code $1.
update globalcart.shop_otps set attempts = attempts + 1 where otp_id = $1
