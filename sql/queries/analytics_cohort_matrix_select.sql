-- The cohort matrix of the latest run: month, size, retention by month offset.
select cohort_month, cohort_size, retention from globalcart.analytics_cohort_matrix order by cohort_month
