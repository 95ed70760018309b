-- Leakage totals by driver of the latest run.
select driver, amount_usd
from globalcart.analytics_leakage
where dimension = 'total'
order by amount_usd desc
