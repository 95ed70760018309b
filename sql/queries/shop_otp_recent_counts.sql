-- Codes requested in the last hour for address $1 and from client address $2.
select (select count(*) from globalcart.shop_otps where email = $1 and created_at > now() - interval '1 hour') as by_address,
       (select count(*) from globalcart.shop_otps where client_ip = $2 and created_at > now() - interval '1 hour') as by_ip
