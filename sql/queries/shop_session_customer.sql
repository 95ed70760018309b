-- The customer of live customer session $1: id, email, display name, CSRF token.
select c.customer_id, c.email, c.display_name, s.csrf_token
from globalcart.app_sessions s
join globalcart.shop_customers c on c.customer_id = s.customer_id
where s.session_id = $1 and s.kind = 'customer' and s.revoked_at is null and s.expires_at > now()
