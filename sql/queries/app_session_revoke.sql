-- Ends session $1 (logout).
update globalcart.app_sessions set revoked_at = now() where session_id = $1 and revoked_at is null
