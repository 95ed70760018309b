with up as (
    insert into globalcart.fact_returns as t
        (return_id, order_id, order_item_id, product_id, return_ts, return_reason, return_status,
         currency, refund_amount, restocked_flag, event_id, updated_at)
    select r, o, i, p, ts, rr, st, cur, rf::numeric / 100, rs, e, u
    from unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::timestamptz[],
                $6::text[], $7::text[], $8::text[], $9::bigint[], $10::boolean[], $11::uuid[],
                $12::timestamptz[])
         as s(r, o, i, p, ts, rr, st, cur, rf, rs, e, u)
    on conflict (return_id) do update set
        order_id = excluded.order_id, order_item_id = excluded.order_item_id,
        product_id = excluded.product_id, return_ts = excluded.return_ts,
        return_reason = excluded.return_reason, return_status = excluded.return_status,
        currency = excluded.currency, refund_amount = excluded.refund_amount,
        restocked_flag = excluded.restocked_flag, event_id = excluded.event_id,
        updated_at = excluded.updated_at, loaded_at = now()
    where (excluded.updated_at, excluded.event_id) > (t.updated_at, t.event_id)
    returning (xmax = 0) as inserted
)
-- inserted, updated, and skipped rows that were exact duplicates (same event
-- already stored: this subquery sees the table as it was before the statement)
select count(*) filter (where inserted) as inserted, count(*) filter (where not inserted) as updated,
       (select count(*) from unnest($1::bigint[], $11::uuid[]) as d(k, e)
        -- one index probe per row, whatever the plan cache believes about the
        -- table (a generic plan made while it was empty seq-scanned it per batch)
        where (select t.event_id = d.e from globalcart.fact_returns t where t.return_id = d.k)) as duplicates
from up
