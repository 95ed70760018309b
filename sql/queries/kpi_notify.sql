-- Tell the live KPI cache which minutes a batch touched (delivered on commit only).
select pg_notify('globalcart_kpis', $1::text)
