-- 021 — the checksum of sql/definitions/ last applied. Views, functions,
-- triggers and row types live in sql/definitions/, in their current form only;
-- `globalcart migrate` drops and re-creates them all whenever the files'
-- checksum differs from the one stored here (a database migrated before 021
-- has none, so its definitions are re-created once).

set local search_path = globalcart;

create table etl_schema_definitions (
    singleton boolean primary key default true check (singleton),
    checksum text not null,
    files integer not null,
    applied_at timestamptz not null default now()
);
comment on table etl_schema_definitions is 'The checksum of the sql/definitions/ files last applied by globalcart migrate (one row)';
comment on column etl_schema_definitions.singleton is 'Always true: the table holds one row';
comment on column etl_schema_definitions.checksum is 'md5 of the definitions files, in order, as applied';
comment on column etl_schema_definitions.files is 'Number of definitions files applied';
comment on column etl_schema_definitions.applied_at is 'When they were last applied';
