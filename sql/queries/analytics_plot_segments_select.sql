-- Customers per RFM segment of the latest run.
select segment, count(*)::int8 as customers
from globalcart.mart_customer_segments
group by segment
