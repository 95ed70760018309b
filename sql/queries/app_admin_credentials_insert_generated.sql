-- Stores a generated admin password hash ($1) unless a password is already set;
-- returns a row only when this call stored it.
insert into globalcart.app_admin_credentials (id, password_hash, source)
values (1, $1, 'generated')
on conflict (id) do nothing
returning id
