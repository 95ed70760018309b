-- When the marts a run can read instead of the views were last refreshed (all three, the
-- oldest refresh), and whether they stand in: refreshed after the last load ($1 = null), or
-- at most $1 seconds ago (the run is then as of that refresh).
with r as (
    select min(last_refreshed_at) as refreshed_at, count(*) as marts
    from globalcart.vw_bi_mart_freshness
    where mart in ('mart_finance_profitability', 'mart_order_lines', 'mart_abandoned_cart_lines')
), l as (
    select max(updated_at) as loaded_at from globalcart.etl_consumer_offsets
)
select r.refreshed_at,
       r.marts = 3 and (l.loaded_at is null
                        or l.loaded_at < r.refreshed_at
                        or r.refreshed_at > now() - make_interval(secs => $1::float8)) as usable
from r, l
