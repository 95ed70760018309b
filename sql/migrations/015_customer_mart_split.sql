-- The customer mart shows a new analytics run the moment the run commits.
--
-- 014 materialized `mart_customer_segments` whole: the lifetime P&L together
-- with the RFM and churn columns of the latest analytics run. Every
-- `globalcart analytics run` therefore had to refresh it before BI tools saw
-- the new segments, and that refresh recomputed every order's P&L (30–40 s on
-- the large preset, longer than the run itself). It is split in two:
--
-- * `mart_customer_value`: the materialized part (home geography, lifetime
--   P&L of completed orders, lifecycle segment, value quartile), refreshed
--   with the other marts. It reads vw_finance_customer_pnl once (014 read it
--   three times).
-- * `mart_customer_segments`: a view joining it to `analytics_rfm` and
--   `analytics_churn_scores`, with the same columns in the same order and the
--   same comments as before, so BI models and exports do not change.
--
-- `refresh_bi_marts()` refreshes `mart_customer_value` in the customer mart's
-- turn and logs it under the BI name `mart_customer_segments`.

set local search_path = globalcart;

-- the column comments of 014, kept for both halves
create temporary table customer_mart_comments on commit drop as
select a.attname::text as column_name, d.description
from pg_description d
join pg_attribute a on a.attrelid = d.objoid and a.attnum = d.objsubid
where d.classoid = 'pg_class'::regclass
  and d.objoid = 'globalcart.mart_customer_segments'::regclass and d.objsubid > 0;

drop materialized view mart_customer_segments;

create materialized view mart_customer_value as
with p as materialized (
    select * from vw_finance_customer_pnl
), valued as (
    select customer_id,
           ntile(4) over (order by net_revenue_usd desc, customer_id) as value_quartile
    from p
)
select md5('customer|' || k.customer_id) as customer_segment_sk,
       k.customer_id,
       c.geo_id,
       g.region,
       g.country,
       g.city,
       c.acquisition_channel,
       to_char((c.customer_created_ts at time zone 'UTC')::date, 'YYYYMMDD')::integer as customer_created_date_id,
       (c.customer_created_ts at time zone 'UTC')::date as customer_created_dt,
       to_char(p.first_order_dt, 'YYYYMMDD')::integer as first_order_date_id,
       p.first_order_dt,
       to_char(p.last_order_dt, 'YYYYMMDD')::integer as last_order_date_id,
       p.last_order_dt,
       coalesce(p.orders, 0) as orders,
       coalesce(p.net_revenue_usd, 0) as net_revenue_usd,
       coalesce(p.gross_profit_usd, 0) as gross_profit_usd,
       coalesce(p.net_profit_usd, 0) as net_profit_usd,
       coalesce(p.refund_amount_usd, 0) as refund_amount_usd,
       coalesce(p.shipping_cost_usd, 0) as shipping_cost_usd,
       coalesce(p.gateway_fee_usd, 0) as gateway_fee_usd,
       p.aov_usd,
       coalesce(p.repeat_customer, false) as repeat_customer_flag,
       v.value_quartile,
       case when p.orders is null then 'PROSPECT'
            when p.orders = 1 then 'ONE_TIME'
            else 'REPEAT' end as lifecycle_segment
from (select customer_id from dim_customer
      union
      select customer_id from p) k
left join dim_customer c on c.customer_id = k.customer_id
left join dim_geo g on g.geo_id = c.geo_id
left join p on p.customer_id = k.customer_id
left join valued v on v.customer_id = k.customer_id;
create unique index mart_customer_value_customer on mart_customer_value (customer_id);
create index mart_customer_value_geo on mart_customer_value (geo_id);
comment on materialized view mart_customer_value is 'Grain: one row per customer of dim_customer (prospects included) or with a completed order (the customer event may not have arrived yet: then its attributes are null): home geography, lifetime P&L of completed orders (vw_finance_customer_pnl), lifecycle segment and value quartile. The materialized half of mart_customer_segments, refreshed with the marts';

create view mart_customer_segments as
select v.*,
       r.recency_days,
       r.frequency as rfm_frequency,
       r.monetary_usd as rfm_monetary_usd,
       r.r_score,
       r.f_score,
       r.m_score,
       r.rfm_score,
       r.segment as rfm_segment,
       r.kmeans_cluster,
       ch.churn_probability,
       ch.revenue_at_risk_usd,
       r.run_id as analytics_run_id
from mart_customer_value v
left join analytics_rfm r on r.customer_id = v.customer_id
left join analytics_churn_scores ch on ch.customer_id = v.customer_id;
comment on view mart_customer_segments is 'Grain: one row per customer of dim_customer (prospects included) or with a completed order (the customer event may not have arrived yet: then its attributes are null): every column of mart_customer_value (lifetime P&L, lifecycle segment, value quartile, as of the latest mart refresh) and the RFM segment, k-means cluster and churn risk of the latest analytics run, current the moment the run commits (null before the first run or for customers without a completed order before its as-of day)';

do $$
declare
    c record;
begin
    for c in select column_name, description from customer_mart_comments loop
        execute format('comment on column globalcart.mart_customer_segments.%I is %L',
                       c.column_name, c.description);
        if exists (select 1 from pg_attribute
                   where attrelid = 'globalcart.mart_customer_value'::regclass
                     and attname = c.column_name and not attisdropped) then
            execute format('comment on column globalcart.mart_customer_value.%I is %L',
                           c.column_name, c.description);
        end if;
    end loop;
end
$$;

create or replace function refresh_bi_marts(trigger text default 'manual', only_marts text[] default null)
returns table (mart text, rows bigint, duration_ms double precision)
language plpgsql as $$
declare
    m text;
    t0 timestamptz;
    n bigint;
begin
    -- one refresh at a time; a second caller waits and then refreshes again
    perform pg_advisory_xact_lock(hashtext('globalcart.refresh_bi_marts'));
    -- every day a mart can show is in the date dimension (it extends itself)
    perform globalcart.ensure_dim_date(array(select kpi_dt from globalcart.vw_kpi_calendar));
    foreach m in array array['mart_exec_daily_kpis', 'mart_finance_profitability',
                             'mart_funnel_conversion', 'mart_product_performance',
                             'mart_customer_segments', 'mart_order_lines',
                             'mart_abandoned_cart_lines'] loop
        -- the customer mart may be named by either of its names
        continue when only_marts is not null and not m = any(only_marts)
                      and not (m = 'mart_customer_segments' and 'mart_customer_value' = any(only_marts));
        t0 := clock_timestamp();
        -- the customer mart is a view over its materialized half (015)
        execute format('refresh materialized view concurrently globalcart.%I',
                       case m when 'mart_customer_segments' then 'mart_customer_value' else m end);
        execute format('select count(*) from globalcart.%I', m) into n;
        mart := m;
        rows := n;
        duration_ms := extract(epoch from clock_timestamp() - t0) * 1000;
        insert into globalcart.bi_mart_refreshes (mart, trigger, started_at, duration_ms, rows)
        values (m, trigger, t0, duration_ms, n);
        return next;
    end loop;
end
$$;
comment on function refresh_bi_marts(text, text[]) is 'Refreshes the BI marts (the five of the reference and the two at line grain, or only those named in only_marts) CONCURRENTLY (readers keep the previous version meanwhile), after adding any missing day to dim_date; logs each refresh in bi_mart_refreshes; trigger says who asked (schedule, backfill, cli, api, manual). mart_customer_segments (also accepted as mart_customer_value in only_marts) is refreshed by refreshing its materialized half, mart_customer_value, and logged under mart_customer_segments';

comment on column bi_mart_refreshes.mart is 'Mart refreshed (mart_customer_segments: its materialized half mart_customer_value was refreshed)';
comment on column vw_bi_mart_freshness.mart is 'Mart (mart_customer_segments: refreshed through mart_customer_value)';
