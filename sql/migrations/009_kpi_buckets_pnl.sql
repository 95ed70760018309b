-- 009 — the live KPI buckets gain the P&L and leakage measures of the 16
-- snapshot metrics: COGS, shipping, gateway fees, gross and net profit and loss
-- orders of completed orders (on their order time, from the windowed P&L of
-- 008, so they equal vw_finance_order_pnl / vw_finance_item_pnl), orders lost
-- to failed payments (vw_failed_payment_orders, on their order time) and the
-- list value of abandoned carts (on the session start; × vw_sell_to_list_ratio
-- it is the revenue lost to abandonment of vw_funnel_daily_metrics). The other
-- measures are as in 007, over vw_orders_completed. Grain `10 seconds` (the
-- live cache's buckets) joins minute, hour, day, week and month. The function runs its
-- query through EXECUTE so each window gets its own plan, with JIT off
-- (compiling costs more than a live window) and no nested loops (see below).

-- Its views, functions and triggers are in sql/definitions/ (current form only).

set local search_path = globalcart;

-- the live windows look shipments and returns up by their own time
create index fact_shipments_shipped_ts on fact_shipments (shipped_ts);
create index fact_returns_return_ts on fact_returns (return_ts);
