with up as (
    insert into globalcart.dim_product as t
        (product_id, sku, product_name, category_l1, category_l2, brand, currency,
         unit_cost, list_price, event_id, updated_at)
    select p, sku, n, l1, l2, b, cur, cost::numeric / 100, price::numeric / 100, e, u
    from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                $7::text[], $8::bigint[], $9::bigint[], $10::uuid[], $11::timestamptz[])
         as s(p, sku, n, l1, l2, b, cur, cost, price, e, u)
    on conflict (product_id) do update set
        sku = excluded.sku, product_name = excluded.product_name,
        category_l1 = excluded.category_l1, category_l2 = excluded.category_l2,
        brand = excluded.brand, currency = excluded.currency, unit_cost = excluded.unit_cost,
        list_price = excluded.list_price, event_id = excluded.event_id,
        updated_at = excluded.updated_at, loaded_at = now()
    where (excluded.updated_at, excluded.event_id) > (t.updated_at, t.event_id)
    returning (xmax = 0) as inserted
)
-- inserted, updated, and skipped rows that were exact duplicates (same event
-- already stored: this subquery sees the table as it was before the statement)
select count(*) filter (where inserted) as inserted, count(*) filter (where not inserted) as updated,
       (select count(*) from unnest($1::bigint[], $10::uuid[]) as d(k, e)
        -- one index probe per row, whatever the plan cache believes about the
        -- table (a generic plan made while it was empty seq-scanned it per batch)
        where (select t.event_id = d.e from globalcart.dim_product t where t.product_id = d.k)) as duplicates
from up
