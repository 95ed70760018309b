with up as (
    insert into globalcart.fact_shipments as t
        (shipment_id, order_id, fc_id, carrier, shipment_status, currency, shipping_cost,
         shipped_ts, promised_delivery_dt, delivered_dt, sla_breached_flag, event_id, updated_at)
    select sh, o, fc, ca, st, cur, cost::numeric / 100, sts, pd, dd, br, e, u
    from unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[],
                $7::bigint[], $8::timestamptz[], $9::date[], $10::date[], $11::boolean[],
                $12::uuid[], $13::timestamptz[])
         as s(sh, o, fc, ca, st, cur, cost, sts, pd, dd, br, e, u)
    on conflict (shipment_id) do update set
        order_id = excluded.order_id, fc_id = excluded.fc_id, carrier = excluded.carrier,
        shipment_status = excluded.shipment_status, currency = excluded.currency,
        shipping_cost = excluded.shipping_cost, shipped_ts = excluded.shipped_ts,
        promised_delivery_dt = excluded.promised_delivery_dt, delivered_dt = excluded.delivered_dt,
        sla_breached_flag = excluded.sla_breached_flag, event_id = excluded.event_id,
        updated_at = excluded.updated_at, loaded_at = now()
    where (excluded.updated_at, excluded.event_id) > (t.updated_at, t.event_id)
    returning (xmax = 0) as inserted
)
-- inserted, updated, and skipped rows that were exact duplicates (same event
-- already stored: this subquery sees the table as it was before the statement)
select count(*) filter (where inserted) as inserted, count(*) filter (where not inserted) as updated,
       (select count(*) from unnest($1::bigint[], $12::uuid[]) as d(k, e)
        -- one index probe per row, whatever the plan cache believes about the
        -- table (a generic plan made while it was empty seq-scanned it per batch)
        where (select t.event_id = d.e from globalcart.fact_shipments t where t.shipment_id = d.k)) as duplicates
from up
