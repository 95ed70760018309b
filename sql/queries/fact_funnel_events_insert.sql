with ins as (
    insert into globalcart.fact_funnel_events
        (event_id, event_ts, session_id, customer_id, product_id, order_id, stage, channel,
         device, failure_reason)
    select e, ts, s, c, p, o, st::globalcart.funnel_stage, ch, dv, fr
    from unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::bigint[], $5::bigint[],
                $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[])
         as u(e, ts, s, c, p, o, st, ch, dv, fr)
    -- the key (event_ts, event_id) since 016: a redelivered event is skipped
    on conflict do nothing
    returning true
)
-- inserted, updated (never: append-only), and skipped duplicates
select count(*) as inserted, 0::bigint as updated, cardinality($1::uuid[]) - count(*) as duplicates from ins
