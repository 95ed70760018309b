with up as (
    insert into globalcart.dim_fc as t (fc_id, fc_name, country, timezone, event_id, updated_at)
    select * from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::uuid[], $6::timestamptz[])
    on conflict (fc_id) do update set
        fc_name = excluded.fc_name, country = excluded.country, timezone = excluded.timezone,
        event_id = excluded.event_id, updated_at = excluded.updated_at, loaded_at = now()
    where (excluded.updated_at, excluded.event_id) > (t.updated_at, t.event_id)
    returning (xmax = 0) as inserted
)
select count(*) filter (where inserted) as inserted, count(*) filter (where not inserted) as updated from up
