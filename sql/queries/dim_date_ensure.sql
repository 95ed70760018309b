select globalcart.ensure_dim_date($1::date[])
