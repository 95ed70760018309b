-- Sets the admin password hash ($1) and its source ($2: env or generated).
insert into globalcart.app_admin_credentials (id, password_hash, source, updated_at)
values (1, $1, $2, now())
on conflict (id) do update set password_hash = excluded.password_hash,
                               source = excluded.source,
                               updated_at = excluded.updated_at
