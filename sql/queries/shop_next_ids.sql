-- $1 new shop ids.
select nextval('globalcart.shop_id_seq') from generate_series(1, $1::bigint)
