-- Refreshes the BI marts ($2: only these, null = all); $1 says who asked.
select mart, rows, duration_ms from globalcart.refresh_bi_marts($1, $2)
