-- Series $1 of the latest forecast (history and the 30-day horizon): day, model, actual,
-- point, 80 % and 95 % bounds.
select dt, model, actual, point, lower_80, upper_80, lower_95, upper_95
from globalcart.analytics_forecast where series = $1 order by dt
