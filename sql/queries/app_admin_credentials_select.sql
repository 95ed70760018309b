-- The admin password hash and where it came from, if set.
select password_hash, source from globalcart.app_admin_credentials where id = 1
