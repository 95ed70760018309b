-- Recompute the days of the daily KPI rollup that loads marked since the last
-- refresh (all of them when a null mark asks for it): how many, and whether
-- it rebuilt every day.
select days, whole from globalcart.refresh_kpi_daily_rollup()
