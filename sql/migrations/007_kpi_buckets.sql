-- 007 — live KPI buckets: every live measure per time bucket (minute, hour,
-- day, week or month) and per dimension value (all, region, channel, category),
-- read from the KPI views of 005 (completed-order scope, USD, sessions as in
-- vw_funnel_sessions). The rolling KPI cache loads minutes of it; the timeseries
-- endpoint loads coarser grains. Orders count on their order time, refunds on
-- their return time, shipments on their ship time, sessions on their first event
-- (sessions are looked up from events up to two hours before the range).

-- Its views, functions and triggers are in sql/definitions/ (current form only).

set local search_path = globalcart;
