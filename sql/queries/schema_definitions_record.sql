insert into globalcart.etl_schema_definitions (checksum, files)
values ($1, $2)
on conflict (singleton) do update
set checksum = excluded.checksum, files = excluded.files, applied_at = now()
