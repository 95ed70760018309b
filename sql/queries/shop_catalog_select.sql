-- Every product as the shop shows it: prices in minor units, rating, stock
-- available (a product without an inventory row starts with 25 + id mod 25)
-- and units sold in completed orders.
select p.product_id, p.sku, p.product_name, p.brand, p.category_l1, p.category_l2,
       p.currency::text as currency, (p.list_price * 100)::bigint as list_cents,
       (p.unit_cost * 100)::bigint as cost_cents,
       r.rating_avg::float8 as rating_avg, coalesce(r.rating_count, 0)::bigint as rating_count,
       coalesce(i.on_hand - i.reserved, 25 + p.product_id % 25)::bigint as available,
       coalesce(s.units, 0)::bigint as units_sold,
       extract(epoch from p.updated_at)::bigint as updated_epoch
from globalcart.dim_product p
left join (select product_id, avg(rating) as rating_avg, count(*) as rating_count
           from globalcart.shop_reviews group by product_id) r using (product_id)
left join globalcart.shop_inventory i using (product_id)
left join (select it.product_id, sum(it.qty) as units
           from globalcart.fact_order_items it
           join globalcart.fact_orders o using (order_id)
           where o.order_status in ('CONFIRMED', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'RETURNED')
           group by it.product_id) s using (product_id)
