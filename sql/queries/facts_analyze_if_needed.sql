-- Analyses the fact tables when any of them holding rows was never analysed (right after
-- a bulk load, before autovacuum gets to it, the planner would misjudge every P&L join).
do $$
begin
    if exists (select 1 from pg_stat_user_tables
               where schemaname = 'globalcart' and relname like 'fact\_%'
                 and n_live_tup > 0 and last_analyze is null and last_autoanalyze is null) then
        analyze globalcart.fact_orders, globalcart.fact_order_items, globalcart.fact_payments,
                globalcart.fact_shipments, globalcart.fact_returns, globalcart.fact_funnel_events;
    end if;
end
$$
