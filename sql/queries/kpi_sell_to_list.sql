-- The sell-to-list ratio that values abandoned carts (vw_sell_to_list_ratio).
select sell_to_list_ratio::float8 as sell_to_list_ratio from globalcart.vw_sell_to_list_ratio
