with up as (
    insert into globalcart.fact_order_items as t
        (order_item_id, order_id, product_id, qty, unit_list_price, unit_sell_price, unit_cost,
         line_discount, line_tax, line_net_revenue, event_id, updated_at)
    select i, o, p, q, lp::numeric / 100, sp::numeric / 100, uc::numeric / 100,
           ld::numeric / 100, lt::numeric / 100, ln::numeric / 100, e, u
    from unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::integer[], $5::bigint[],
                $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[],
                $11::uuid[], $12::timestamptz[])
         as s(i, o, p, q, lp, sp, uc, ld, lt, ln, e, u)
    on conflict (order_item_id) do update set
        order_id = excluded.order_id, product_id = excluded.product_id, qty = excluded.qty,
        unit_list_price = excluded.unit_list_price, unit_sell_price = excluded.unit_sell_price,
        unit_cost = excluded.unit_cost, line_discount = excluded.line_discount,
        line_tax = excluded.line_tax, line_net_revenue = excluded.line_net_revenue,
        event_id = excluded.event_id, updated_at = excluded.updated_at, loaded_at = now()
    where (excluded.updated_at, excluded.event_id) > (t.updated_at, t.event_id)
    returning (xmax = 0) as inserted
)
select count(*) filter (where inserted) as inserted, count(*) filter (where not inserted) as updated from up
