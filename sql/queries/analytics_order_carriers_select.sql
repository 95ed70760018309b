-- The carrier of each completed order: that of its costliest shipment.
select distinct on (s.order_id) s.order_id, s.carrier
from globalcart.vw_shipments_enriched s
where s.is_completed_order
order by s.order_id, s.shipping_cost_usd desc nulls last, s.shipment_id
