

comment on column globalcart.fact_shipments.shipment_status is 'LABEL_CREATED, SHIPPED, DELIVERED, RTO or CANCELLED (label voided before hand-over: the order was cancelled)';
comment on column globalcart.fact_orders.currency is 'Currency of the amounts; one of dim_currency (the event contract rejects any other)';
comment on column globalcart.fact_orders.net_amount is 'Net revenue excluding tax: Σ line_net_revenue = gross − discount (checked per event)';
comment on column globalcart.fact_order_items.order_id is 'Order of the line (fact_orders); a line never moves to another order (trigger fact_order_items_owner)';
comment on column globalcart.fact_order_items.line_discount is 'Discount on the line: (list − sell) × qty plus its share of a promo; ≥ 0';
comment on column globalcart.fact_order_items.line_net_revenue is 'list × qty − line_discount, excluding tax; ≥ 0';
