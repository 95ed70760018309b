-- kpi_period($1 … $2) (UTC days, inclusive, null = unbounded) as one JSON object in the function's column order: computed once per report, then read by the summary, funnel and leakage statements.
select row_to_json(k)::text from globalcart.kpi_period($1::date, $2::date) k
