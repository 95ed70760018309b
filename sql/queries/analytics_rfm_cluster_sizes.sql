-- Customers per k-means cluster of the latest run.
select kmeans_cluster, count(*) as customers from globalcart.analytics_rfm
where kmeans_cluster is not null group by kmeans_cluster order by kmeans_cluster
