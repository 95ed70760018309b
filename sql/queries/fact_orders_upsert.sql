with up as (
    insert into globalcart.fact_orders as t
        (order_id, customer_id, geo_id, order_ts, order_status, channel, device, currency,
         gross_amount, discount_amount, tax_amount, net_amount, event_id, updated_at)
    select o, c, g, ts, st, ch, dv, cur, gross::numeric / 100, disc::numeric / 100,
           tax::numeric / 100, net::numeric / 100, e, u
    from unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::timestamptz[], $5::text[],
                $6::text[], $7::text[], $8::text[], $9::bigint[], $10::bigint[], $11::bigint[],
                $12::bigint[], $13::uuid[], $14::timestamptz[])
         as s(o, c, g, ts, st, ch, dv, cur, gross, disc, tax, net, e, u)
    on conflict (order_id) do update set
        customer_id = excluded.customer_id, geo_id = excluded.geo_id, order_ts = excluded.order_ts,
        order_status = excluded.order_status, channel = excluded.channel, device = excluded.device,
        currency = excluded.currency, gross_amount = excluded.gross_amount,
        discount_amount = excluded.discount_amount, tax_amount = excluded.tax_amount,
        net_amount = excluded.net_amount, event_id = excluded.event_id,
        updated_at = excluded.updated_at, loaded_at = now()
    where (excluded.updated_at, excluded.event_id) > (t.updated_at, t.event_id)
    returning (xmax = 0) as inserted
)
-- inserted, updated, and skipped rows that were exact duplicates (same event
-- already stored: this subquery sees the table as it was before the statement)
select count(*) filter (where inserted) as inserted, count(*) filter (where not inserted) as updated,
       (select count(*) from unnest($1::bigint[], $13::uuid[]) as d(k, e)
        -- one index probe per row, whatever the plan cache believes about the
        -- table (a generic plan made while it was empty seq-scanned it per batch)
        where (select t.event_id = d.e from globalcart.fact_orders t where t.order_id = d.k)) as duplicates
from up
