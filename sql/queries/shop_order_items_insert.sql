-- The lines of order $1 (amounts in minor units).
insert into globalcart.shop_order_items
    (order_id, order_item_id, product_id, product_name, qty, unit_list_price, unit_sell_price,
     unit_cost, line_discount, line_tax, line_net)
select $1, id, p, n, q, l::numeric / 100, s::numeric / 100, c::numeric / 100, d::numeric / 100,
       t::numeric / 100, net::numeric / 100
from unnest($2::bigint[], $3::bigint[], $4::text[], $5::int[], $6::bigint[], $7::bigint[],
            $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[])
     as u(id, p, n, q, l, s, c, d, t, net)
