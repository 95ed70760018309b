-- A new shop id (customers, orders, lines, payments, shipments).
select nextval('globalcart.shop_id_seq')
