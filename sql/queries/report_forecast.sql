-- The overall net revenue series of the latest analytics run (analytics_forecast, series 'revenue'): per day the actual (history) or the forecast with its 80 % and 95 % bounds (horizon), and the chosen model.
select dt, actual, point, lower_80, upper_80, lower_95, upper_95, model
from globalcart.analytics_forecast
where series = 'revenue'
order by dt
