-- 008 — the order and line P&L of any time window, without a second definition.
--
-- The P&L views of 005 aggregate costs and returns per order over the whole
-- history before joining, so even "the orders of the last minute" made Postgres
-- aggregate every shipment, payment and return (seconds on a medium history):
-- too slow for the live KPI cache, which refreshes on every commit.
--
-- Here the five views of the P&L and of the orders lost to failed payments
-- become thin wrappers of set-returning SQL functions that take the window of
-- order times `[from_ts, to_ts)` and restrict every aggregation to the orders
-- of that window. The views call them with (-infinity, infinity), so each
-- definition stays in one place. The functions are plain single-SELECT SQL
-- functions (no SET clause, not strict), which Postgres inlines into the
-- calling query, so the views plan as before. Their row types are copied from
-- the views of 005, so the columns (names, types, comments) do not change.
-- Every fact is reached through an index for a short window: orders by
-- order_ts, their lines, shipments, payments and returns by
-- `order_id = any(<the window's order ids>)`, whatever the planner believes
-- about the window's size (its statistics always lag the newest minutes). For
-- (-infinity, infinity) that condition folds away to true.

-- Its views, functions and triggers are in sql/definitions/ (current form only).

set local search_path = globalcart;
