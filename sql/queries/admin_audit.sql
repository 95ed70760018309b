-- Audit log from audit_history: each saved version of an order, payment or shipment is
-- a transition from its status to the next version's (or the current row's); the reason
-- is the shop's cancel reason or the payment's failure; page $1/$2.
select a.audit_ts, a.table_name, a.row_key, a.audit_action,
       a.old_row ->> st.col as from_status,
       coalesce((select n.old_row ->> st.col from globalcart.audit_history n
                 where n.table_name = a.table_name and n.row_key = a.row_key and n.audit_id > a.audit_id
                 order by n.audit_id limit 1),
                case a.table_name
                    when 'fact_orders' then (select order_status from globalcart.fact_orders where order_id = a.row_key::bigint)
                    when 'fact_payments' then (select payment_status from globalcart.fact_payments where payment_id = a.row_key::bigint)
                    else (select shipment_status from globalcart.fact_shipments where shipment_id = a.row_key::bigint)
                end) as to_status,
       case a.table_name
           when 'fact_orders' then (select cancel_reason from globalcart.shop_orders where order_id = a.row_key::bigint)
           when 'fact_payments' then (select failure_reason from globalcart.fact_payments where payment_id = a.row_key::bigint)
       end as reason,
       case when a.row_key::bigint >= 8000000000000000 then 'shop' else 'pipeline' end as actor
from globalcart.audit_history a
cross join lateral (select case a.table_name when 'fact_orders' then 'order_status'
                                             when 'fact_payments' then 'payment_status'
                                             else 'shipment_status' end as col) st
where a.table_name in ('fact_orders', 'fact_payments', 'fact_shipments')
order by a.audit_id desc
limit $1 offset $2
