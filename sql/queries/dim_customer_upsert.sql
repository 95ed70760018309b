with up as (
    insert into globalcart.dim_customer as t
        (customer_id, customer_created_ts, geo_id, acquisition_channel, event_id, updated_at)
    select * from unnest($1::bigint[], $2::timestamptz[], $3::bigint[], $4::text[], $5::uuid[], $6::timestamptz[])
    on conflict (customer_id) do update set
        customer_created_ts = excluded.customer_created_ts, geo_id = excluded.geo_id,
        acquisition_channel = excluded.acquisition_channel, event_id = excluded.event_id,
        updated_at = excluded.updated_at, loaded_at = now()
    where (excluded.updated_at, excluded.event_id) > (t.updated_at, t.event_id)
    returning (xmax = 0) as inserted
)
-- inserted, updated, and skipped rows that were exact duplicates (same event
-- already stored: this subquery sees the table as it was before the statement)
select count(*) filter (where inserted) as inserted, count(*) filter (where not inserted) as updated,
       (select count(*) from unnest($1::bigint[], $5::uuid[]) as d(k, e)
        -- one index probe per row, whatever the plan cache believes about the
        -- table (a generic plan made while it was empty seq-scanned it per batch)
        where (select t.event_id = d.e from globalcart.dim_customer t where t.customer_id = d.k)) as duplicates
from up
