-- Reservations of order $1: $3 units of each product $2.
insert into globalcart.shop_reservations (order_id, product_id, qty, status)
select $1, p, q, 'RESERVED' from unnest($2::bigint[], $3::int[]) as u(p, q)
