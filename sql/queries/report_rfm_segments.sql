-- RFM segments of the latest analytics run (analytics_rfm): customers, their share, mean recency (days) and frequency (orders), Σ monetary (USD) and its share; the last row (segment null) is every customer.
with s as (
    select segment,
           grouping(segment) = 1 as all_segments,
           count(*) as customers,
           avg(recency_days)::float8 as avg_recency_days,
           avg(frequency)::float8 as avg_frequency,
           coalesce(sum(monetary_usd), 0)::float8 as monetary_usd
    from globalcart.analytics_rfm
    group by rollup (segment)
)
select segment,
       all_segments,
       customers,
       customers::float8 / nullif(max(customers) filter (where all_segments) over (), 0) as customer_share,
       avg_recency_days,
       avg_frequency,
       monetary_usd,
       monetary_usd / nullif(max(monetary_usd) filter (where all_segments) over (), 0) as monetary_share
from s
order by all_segments, monetary_usd desc, segment
