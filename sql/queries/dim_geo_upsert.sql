with up as (
    insert into globalcart.dim_geo as t (geo_id, country, region, city, currency, event_id, updated_at)
    select * from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::timestamptz[])
    on conflict (geo_id) do update set
        country = excluded.country, region = excluded.region, city = excluded.city,
        currency = excluded.currency, event_id = excluded.event_id,
        updated_at = excluded.updated_at, loaded_at = now()
    where (excluded.updated_at, excluded.event_id) > (t.updated_at, t.event_id)
    returning (xmax = 0) as inserted
)
select count(*) filter (where inserted) as inserted, count(*) filter (where not inserted) as updated from up
