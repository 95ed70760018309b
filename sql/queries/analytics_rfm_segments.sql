-- RFM segments of the latest run: segment, customers, revenue (USD), mean recency (days).
select segment, count(*), coalesce(sum(monetary_usd), 0)::float8, avg(recency_days)::float8
from globalcart.analytics_rfm
group by segment
order by count(*) desc
