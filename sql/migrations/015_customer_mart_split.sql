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

-- Its views, functions and triggers are in sql/definitions/ (current form only).

set local search_path = globalcart;

comment on column bi_mart_refreshes.mart is 'Mart refreshed (mart_customer_segments: its materialized half mart_customer_value was refreshed)';
