-- The latest refresh of each mart (none before the first refresh).
select mart, last_refreshed_at, duration_ms, rows, trigger from globalcart.vw_bi_mart_freshness order by mart
