-- The cohort matrix of the latest run.
select to_char(cohort_month, 'YYYY-MM') as cohort, retention::float8[] as retention
from globalcart.analytics_cohort_matrix
order by cohort_month
