-- 005 — the KPI layer: one definition of every KPI, in views that every surface
-- (API tiles, dashboards, exports, snapshots) reads instead of re-deriving it.
-- Its views are in sql/definitions/ (10_orders.sql … 13_kpis.sql, with the
-- conventions they share), in their current form only.

set local search_path = globalcart;
