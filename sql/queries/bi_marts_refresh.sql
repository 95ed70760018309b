-- Refreshes the BI marts ($2: only these, null = all; $3: every day, not only
-- the days touched since the last refresh); $1 says who asked.
select mart, rows, duration_ms from globalcart.refresh_bi_marts($1, $2, $3)
