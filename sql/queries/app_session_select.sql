-- A live session (not expired, not revoked) of id $1 and kind $2.
select customer_id, csrf_token
from globalcart.app_sessions
where session_id = $1 and kind = $2 and revoked_at is null and expires_at > now()
