-- The secret named $1, created with the value $2 if it does not exist yet (the first writer wins).
with ins as (
    insert into globalcart.app_secrets (name, value) values ($1, $2)
    on conflict (name) do nothing
    returning value
)
select value from ins
union all
select value from globalcart.app_secrets where name = $1
limit 1
