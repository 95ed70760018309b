-- 013 — the outputs of `globalcart analytics run` (crate `analytics`).
--
-- Every table below except `analytics_runs` holds the result of the latest run
-- only: a run deletes and re-inserts all of them in one transaction (binary
-- COPY), so readers see either the previous run or the new one, never a mix.
-- Each row carries the `run_id` that wrote it; `analytics_runs` keeps the
-- history of runs with their parameters and headline figures.
-- Amounts are USD, taken from the KPI views (`vw_finance_order_pnl`,
-- `vw_finance_item_pnl`, `vw_failed_payment_orders`,
-- `vw_funnel_abandoned_cart_lines`), carried as double precision: these are
-- statistical outputs, and the leakage totals still reconcile with the views
-- to the cent. Ratios are 0–1. docs/analytics.md explains every method.

set local search_path = globalcart;

create table analytics_runs (
    run_id bigserial primary key,
    as_of date not null,
    started_at timestamptz not null,
    finished_at timestamptz not null default now(),
    duration_ms bigint not null,
    params jsonb not null,
    summary jsonb not null
);
comment on table analytics_runs is 'One row per analytics run: its as-of day, parameters and headline figures (history is kept)';
comment on column analytics_runs.run_id is 'Run that wrote the row (analytics_runs)';
comment on column analytics_runs.started_at is 'When the run started';
comment on column analytics_runs.finished_at is 'When the run committed its results';
comment on column analytics_runs.duration_ms is 'Wall time of the run in milliseconds';
comment on column analytics_runs.as_of is 'Analysis day: orders placed before it are used; recency and churn are measured at it';
comment on column analytics_runs.params is 'Parameters of the run (windows, horizon, thresholds)';
comment on column analytics_runs.summary is 'Headline results: row counts, chosen k, churn AUC, chosen forecast models';

create table mart_customer_segments (
    customer_id bigint primary key,
    run_id bigint not null,
    recency_days integer not null,
    frequency integer not null,
    monetary_usd double precision not null,
    r_score smallint not null,
    f_score smallint not null,
    m_score smallint not null,
    rfm_score smallint not null,
    segment text not null,
    kmeans_cluster integer
);
comment on table mart_customer_segments is 'RFM per customer with a completed order before the as-of day: quintile scores, the 5 named segments of the reference and the k-means cluster';
comment on column mart_customer_segments.customer_id is 'Customer key (dim_customer)';
comment on column mart_customer_segments.run_id is 'Run that wrote the row (analytics_runs)';
comment on column mart_customer_segments.r_score is 'Recency quintile 5 (most recent) … 1';
comment on column mart_customer_segments.f_score is 'Frequency quintile 1 … 5 (on the rank, ties broken by order of appearance)';
comment on column mart_customer_segments.m_score is 'Monetary quintile 1 … 5';
comment on column mart_customer_segments.recency_days is 'Days from the last completed order to the as-of day';
comment on column mart_customer_segments.frequency is 'Completed orders';
comment on column mart_customer_segments.monetary_usd is 'Σ net revenue of completed orders, USD';
comment on column mart_customer_segments.rfm_score is '100·R + 10·F + M';
comment on column mart_customer_segments.segment is 'Champions, New Customers, At Risk Loyal, Lost or Potential Loyalist';
comment on column mart_customer_segments.kmeans_cluster is 'Cluster of the chosen k-means model (analytics_rfm_kmeans)';

create table analytics_rfm_kmeans (
    run_id bigint not null,
    k integer not null,
    silhouette double precision not null,
    inertia double precision not null,
    chosen boolean not null,
    primary key (k)
);
comment on table analytics_rfm_kmeans is 'k-means on standardised log R, F, M: one row per k tried, with its silhouette (on a sample) and inertia; the chosen k has the highest silhouette';
comment on column analytics_rfm_kmeans.run_id is 'Run that wrote the row (analytics_runs)';
comment on column analytics_rfm_kmeans.k is 'Number of clusters tried';
comment on column analytics_rfm_kmeans.silhouette is 'Mean silhouette on a sample of at most 2,000 customers (−1 … 1, higher is better)';
comment on column analytics_rfm_kmeans.inertia is 'Sum of squared distances to the centroids (standardised space)';
comment on column analytics_rfm_kmeans.chosen is 'The chosen one';

create table analytics_rfm_clusters (
    run_id bigint not null,
    cluster integer primary key,
    customers bigint not null,
    avg_recency_days double precision not null,
    avg_frequency double precision not null,
    avg_monetary_usd double precision not null,
    top_segment text not null,
    top_segment_share double precision not null
);
comment on table analytics_rfm_clusters is 'The clusters of the chosen k: size, mean R/F/M and the rule-based segment most of its customers fall in';
comment on column analytics_rfm_clusters.run_id is 'Run that wrote the row (analytics_runs)';
comment on column analytics_rfm_clusters.cluster is 'Cluster number of the chosen k';
comment on column analytics_rfm_clusters.customers is 'Customers';
comment on column analytics_rfm_clusters.avg_recency_days is 'Mean recency, days';
comment on column analytics_rfm_clusters.avg_frequency is 'Mean completed orders';
comment on column analytics_rfm_clusters.avg_monetary_usd is 'Mean net revenue, USD';
comment on column analytics_rfm_clusters.top_segment is 'Rule-based segment most frequent in the cluster';
comment on column analytics_rfm_clusters.top_segment_share is 'Share of the cluster in that segment, ratio';

create table analytics_churn_scores (
    customer_id bigint primary key,
    run_id bigint not null,
    churn_probability double precision,
    rule_churned boolean not null,
    recency_days integer not null,
    frequency integer not null,
    trailing_year_revenue_usd double precision not null,
    revenue_at_risk_usd double precision,
    risk_rank integer
);
comment on table analytics_churn_scores is 'Churn risk per customer at the as-of day: model probability of no completed order in the next 90 days, the reference 90-day rule, and revenue at risk';
comment on column analytics_churn_scores.customer_id is 'Customer key (dim_customer)';
comment on column analytics_churn_scores.run_id is 'Run that wrote the row (analytics_runs)';
comment on column analytics_churn_scores.recency_days is 'Days from the last completed order to the as-of day';
comment on column analytics_churn_scores.frequency is 'Completed orders before the as-of day';
comment on column analytics_churn_scores.churn_probability is 'Logistic-regression probability (null when no model could be trained)';
comment on column analytics_churn_scores.rule_churned is 'Reference rule: last completed order more than 90 days before the as-of day';
comment on column analytics_churn_scores.trailing_year_revenue_usd is 'Net revenue of the 365 days before the as-of day, USD';
comment on column analytics_churn_scores.revenue_at_risk_usd is 'churn_probability × trailing_year_revenue_usd';
comment on column analytics_churn_scores.risk_rank is '1 = highest revenue at risk';

create table analytics_churn_model (
    run_id bigint primary key,
    status text not null,
    reason text,
    train_cutoff date,
    holdout_cutoff date,
    train_customers bigint,
    holdout_customers bigint,
    train_churn_rate double precision,
    holdout_churn_rate double precision,
    holdout_auc double precision,
    features jsonb not null,
    coefficients jsonb
);
comment on table analytics_churn_model is 'The churn model of the run: time-based split, holdout AUC and standardised coefficients (status skipped with a reason when the history is too short)';
comment on column analytics_churn_model.run_id is 'Run that wrote the row (analytics_runs)';
comment on column analytics_churn_model.status is 'trained or skipped';
comment on column analytics_churn_model.reason is 'Why the model was skipped (null when trained)';
comment on column analytics_churn_model.train_cutoff is 'Features measured before this day, label = no order in the 90 days from it (training set)';
comment on column analytics_churn_model.holdout_cutoff is 'The same for the holdout set (later, disjoint label window)';
comment on column analytics_churn_model.train_customers is 'Customers in the training set';
comment on column analytics_churn_model.holdout_customers is 'Customers in the holdout set';
comment on column analytics_churn_model.train_churn_rate is 'Share of churners in the training set';
comment on column analytics_churn_model.holdout_churn_rate is 'Share of churners in the holdout set';
comment on column analytics_churn_model.holdout_auc is 'Area under the ROC curve on the holdout set';
comment on column analytics_churn_model.features is 'Feature names, in coefficient order';
comment on column analytics_churn_model.coefficients is 'Intercept and coefficients on standardised features';

create table analytics_churn_calibration (
    run_id bigint not null,
    bin integer primary key,
    customers bigint not null,
    mean_predicted double precision not null,
    observed_rate double precision not null
);
comment on table analytics_churn_calibration is 'Holdout calibration: customers in deciles of predicted churn probability, mean prediction against the observed churn rate';
comment on column analytics_churn_calibration.run_id is 'Run that wrote the row (analytics_runs)';
comment on column analytics_churn_calibration.bin is 'Decile of predicted probability, 1 = lowest';
comment on column analytics_churn_calibration.customers is 'Customers';
comment on column analytics_churn_calibration.mean_predicted is 'Mean predicted churn probability in the bin';
comment on column analytics_churn_calibration.observed_rate is 'Observed churn rate in the bin';

create table analytics_cohort_retention (
    run_id bigint not null,
    cohort_month date not null,
    month_offset integer not null,
    cohort_size bigint not null,
    active_customers bigint not null,
    retention_rate double precision not null,
    net_revenue_usd double precision not null,
    primary key (cohort_month, month_offset)
);
comment on table analytics_cohort_retention is 'Monthly acquisition cohorts in long form: customers of the cohort (month of first completed order) active in each month since';
comment on column analytics_cohort_retention.run_id is 'Run that wrote the row (analytics_runs)';
comment on column analytics_cohort_retention.cohort_month is 'Month of the first completed order (first day)';
comment on column analytics_cohort_retention.month_offset is 'Months since the cohort month (0 = acquisition month)';
comment on column analytics_cohort_retention.cohort_size is 'Customers acquired in the cohort month';
comment on column analytics_cohort_retention.active_customers is 'Customers of the cohort with a completed order in that month';
comment on column analytics_cohort_retention.retention_rate is 'active_customers / cohort_size';
comment on column analytics_cohort_retention.net_revenue_usd is 'Net revenue of the cohort in that month, USD';

create table analytics_cohort_matrix (
    run_id bigint not null,
    cohort_month date primary key,
    cohort_size bigint not null,
    retention double precision[] not null
);
comment on table analytics_cohort_matrix is 'The cohort matrix: retention by month offset, element 1 = the acquisition month (always 1), up to the as-of month';
comment on column analytics_cohort_matrix.run_id is 'Run that wrote the row (analytics_runs)';
comment on column analytics_cohort_matrix.cohort_month is 'Month of the first completed order (first day)';
comment on column analytics_cohort_matrix.cohort_size is 'Customers acquired in the cohort month';
comment on column analytics_cohort_matrix.retention is 'Retention rate by month offset';

create table analytics_leakage (
    run_id bigint not null,
    driver text not null,
    dimension text not null,
    dim_value text not null,
    amount_usd double precision not null,
    occurrences bigint not null,
    primary key (driver, dimension, dim_value)
);
comment on table analytics_leakage is 'Profit leakage by driver, broken down by dimension (total, category, carrier, region, channel); every dimension of a driver sums to its total';
comment on column analytics_leakage.run_id is 'Run that wrote the row (analytics_runs)';
comment on column analytics_leakage.dimension is 'total, category, carrier, region or channel';
comment on column analytics_leakage.dim_value is 'Value of the dimension (all for total)';
comment on column analytics_leakage.amount_usd is 'Leaked amount, USD';
comment on column analytics_leakage.driver is 'refunds, discount_heavy_orders, shipping_overrun, payment_failures, cart_abandonment, loss_orders, loss_products, loss_customers';
comment on column analytics_leakage.occurrences is 'Orders, lines, sessions, products or customers behind the amount';

create table analytics_outliers (
    run_id bigint not null,
    entity text not null,
    entity_key text not null,
    metric text not null,
    method text not null,
    value double precision not null,
    score double precision not null,
    lower_bound double precision,
    upper_bound double precision,
    primary key (entity, entity_key, metric, method)
);
comment on table analytics_outliers is 'Flagged outliers only: orders, customers, days of revenue and category-days, by IQR, z-score or augurs MAD';
comment on column analytics_outliers.run_id is 'Run that wrote the row (analytics_runs)';
comment on column analytics_outliers.entity is 'order, customer, day or category_day';
comment on column analytics_outliers.entity_key is 'Order id, customer id, day, or category|day';
comment on column analytics_outliers.metric is 'Measure tested';
comment on column analytics_outliers.method is 'iqr, zscore or augurs_mad';
comment on column analytics_outliers.value is 'Value of the measure';
comment on column analytics_outliers.score is 'Distance from the centre in the methods unit (IQRs beyond the fence, |z|, or MAD score)';
comment on column analytics_outliers.lower_bound is 'Lower fence (null when one-sided)';
comment on column analytics_outliers.upper_bound is 'Upper fence';

create table analytics_forecast (
    run_id bigint not null,
    series text not null,
    dt date not null,
    model text not null,
    actual double precision,
    point double precision,
    lower_80 double precision,
    upper_80 double precision,
    lower_95 double precision,
    upper_95 double precision,
    primary key (series, dt)
);
comment on table analytics_forecast is 'Per series (revenue, units:<category>): the last 180 days of actuals, then the 30-day forecast of the chosen model with 80 % and 95 % intervals';
comment on column analytics_forecast.run_id is 'Run that wrote the row (analytics_runs)';
comment on column analytics_forecast.series is 'revenue (daily net revenue, USD) or units:<category> (daily units)';
comment on column analytics_forecast.dt is 'Day';
comment on column analytics_forecast.model is 'Model that produced the forecast (the chosen one)';
comment on column analytics_forecast.actual is 'Observed value (history rows)';
comment on column analytics_forecast.point is 'Point forecast (forecast rows)';
comment on column analytics_forecast.lower_80 is 'Lower bound of the 80 % interval';
comment on column analytics_forecast.upper_80 is 'Upper bound of the 80 % interval';
comment on column analytics_forecast.lower_95 is 'Lower bound of the 95 % interval';
comment on column analytics_forecast.upper_95 is 'Upper bound of the 95 % interval';

create table analytics_backtest (
    run_id bigint not null,
    series text not null,
    model text not null,
    folds integer not null,
    horizon integer not null,
    mape double precision,
    smape double precision not null,
    mase double precision,
    coverage_80 double precision,
    coverage_95 double precision,
    chosen boolean not null,
    primary key (series, model)
);
comment on table analytics_backtest is 'Rolling-origin backtest of every candidate model per series; the model with the lowest MASE is chosen';
comment on column analytics_backtest.run_id is 'Run that wrote the row (analytics_runs)';
comment on column analytics_backtest.series is 'revenue (daily net revenue, USD) or units:<category> (daily units)';
comment on column analytics_backtest.model is 'Model that produced the forecast (the chosen one)';
comment on column analytics_backtest.folds is 'Rolling origins evaluated';
comment on column analytics_backtest.horizon is 'Days forecast from each origin';
comment on column analytics_backtest.mape is 'Mean absolute percentage error over days with a non-zero actual, ratio (null if none)';
comment on column analytics_backtest.smape is 'Symmetric MAPE, ratio 0–2';
comment on column analytics_backtest.mase is 'Mean absolute error / in-sample MAE of the weekly seasonal-naive forecast (below 1 beats it)';
comment on column analytics_backtest.coverage_80 is 'Share of actuals inside the 80 % interval';
comment on column analytics_backtest.coverage_95 is 'Share of actuals inside the 95 % interval';
comment on column analytics_backtest.chosen is 'The chosen one';
