with up as (
    insert into globalcart.fact_payments as t
        (payment_id, order_id, payment_method, payment_status, payment_provider, currency,
         amount, gateway_fee_amount, refund_amount, authorized_ts, captured_ts, failure_reason,
         chargeback_flag, event_id, updated_at)
    select p, o, m, st, pr, cur, amt::numeric / 100, fee::numeric / 100, rf::numeric / 100,
           au, ca, fr, cb, e, u
    from unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
                $7::bigint[], $8::bigint[], $9::bigint[], $10::timestamptz[], $11::timestamptz[],
                $12::text[], $13::boolean[], $14::uuid[], $15::timestamptz[])
         as s(p, o, m, st, pr, cur, amt, fee, rf, au, ca, fr, cb, e, u)
    on conflict (payment_id) do update set
        order_id = excluded.order_id, payment_method = excluded.payment_method,
        payment_status = excluded.payment_status, payment_provider = excluded.payment_provider,
        currency = excluded.currency, amount = excluded.amount,
        gateway_fee_amount = excluded.gateway_fee_amount, refund_amount = excluded.refund_amount,
        authorized_ts = excluded.authorized_ts, captured_ts = excluded.captured_ts,
        failure_reason = excluded.failure_reason, chargeback_flag = excluded.chargeback_flag,
        event_id = excluded.event_id, updated_at = excluded.updated_at, loaded_at = now()
    where (excluded.updated_at, excluded.event_id) > (t.updated_at, t.event_id)
    returning (xmax = 0) as inserted
)
-- inserted, updated, and skipped rows that were exact duplicates (same event
-- already stored: this subquery sees the table as it was before the statement)
select count(*) filter (where inserted) as inserted, count(*) filter (where not inserted) as updated,
       (select count(*) from unnest($1::bigint[], $14::uuid[]) as d(k, e)
        -- one index probe per row, whatever the plan cache believes about the
        -- table (a generic plan made while it was empty seq-scanned it per batch)
        where (select t.event_id = d.e from globalcart.fact_payments t where t.payment_id = d.k)) as duplicates
from up
