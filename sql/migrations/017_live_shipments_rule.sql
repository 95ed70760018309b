-- 017 — the live KPI buckets count shipments by the views' day rule (issue 14):
-- a shipment of a completed order counts at its ship time, and at its order's
-- time while it has not shipped (vw_shipments_enriched.ship_dt). 009 counted
-- only shipments with a ship time inside the window, so the live `shipments`
-- and SLA-breach denominator of a window holding unshipped shipments fell short
-- of the views' (the last 24 hours of the small preset: 76 against 110). The
-- function is 009's but for the `ships` part.

-- Its views, functions and triggers are in sql/definitions/ (current form only).

set local search_path = globalcart;
