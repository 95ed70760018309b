-- Demo inbox of visitor $2 for address $1: the latest codes this visitor
-- requested, and only while the address has no account or its account was
-- signed up by this visitor. Another browser never sees a code for an
-- account it did not create, and notices ("no account", "already an
-- account") are never shown here, so the inbox cannot tell accounts apart.
select e.email_id, e.kind, e.subject, e.body, e.status, e.created_at
from globalcart.shop_email_outbox e
left join globalcart.shop_customers c on c.email = e.to_email
where e.to_email = $1 and e.kind = 'OTP' and e.requested_by = $2
  and (c.customer_id is null or c.signup_visitor = $2)
order by e.created_at desc
limit 10
