-- Customers per RFM segment of the latest run.
select segment, count(*)::int8 as customers
from globalcart.analytics_rfm
group by segment
