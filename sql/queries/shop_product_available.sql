-- Units of product $1 available now (on hand minus reserved; 25 + id mod 25 before its first sale).
select coalesce((select on_hand - reserved from globalcart.shop_inventory where product_id = $1),
                25 + $1 % 25)::bigint
