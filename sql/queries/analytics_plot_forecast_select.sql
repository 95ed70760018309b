-- The revenue series of the latest run: history and forecast with its bands.
select dt - date '1970-01-01' as day, model, actual, point, lower_80, upper_80, lower_95, upper_95
from globalcart.analytics_forecast
where series = 'revenue'
order by dt
