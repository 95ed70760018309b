-- Customers per k-means cluster of the latest run.
select kmeans_cluster, count(*) from globalcart.mart_customer_segments
where kmeans_cluster is not null group by kmeans_cluster order by kmeans_cluster
