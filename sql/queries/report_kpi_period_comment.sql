-- The database comment of kpi_period(date, date): the scope of every KPI of the report.
select obj_description('globalcart.kpi_period(date, date)'::regprocedure, 'pg_proc')
