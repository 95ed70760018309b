-- A new session: id $1, kind $2, customer $3, CSRF token $4, lifetime $5 seconds.
insert into globalcart.app_sessions (session_id, kind, customer_id, csrf_token, expires_at)
values ($1, $2, $3, $4, now() + make_interval(secs => $5))
