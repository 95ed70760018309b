-- Gives products $1 an inventory row if they have none (25 + id mod 25 units).
insert into globalcart.shop_inventory (product_id, on_hand)
select id, 25 + id % 25 from unnest($1::bigint[]) as id
on conflict (product_id) do nothing
