-- RFM segments of the latest run: segment, customers, revenue (USD), mean recency (days).
select segment, count(*) as customers, coalesce(sum(monetary_usd), 0)::float8 as monetary_usd,
       avg(recency_days)::float8 as avg_recency_days
from globalcart.analytics_rfm
group by segment
order by count(*) desc
