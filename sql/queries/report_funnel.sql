-- The funnel stages of a kpi_period row ($1: report_kpi_period_row's JSON): sessions reaching each stage, the share of the previous stage that reached it, and the share of all sessions.
select s.stage,
       s.sessions,
       (s.sessions::numeric / nullif(lag(s.sessions) over (order by s.position), 0))::float8 as step_conversion,
       (s.sessions::numeric / nullif(first_value(s.sessions) over (order by s.position), 0))::float8 as share_of_sessions
from json_to_record($1::text::json) as k(sessions bigint, product_views bigint, add_to_cart bigint,
                                         checkout_started bigint, payment_attempts bigint, orders_placed bigint)
cross join lateral (values (1, 'sessions', k.sessions),
                           (2, 'product_views', k.product_views),
                           (3, 'add_to_cart', k.add_to_cart),
                           (4, 'checkout_started', k.checkout_started),
                           (5, 'payment_attempts', k.payment_attempts),
                           (6, 'orders_placed', k.orders_placed)) as s(position, stage, sessions)
order by s.position
