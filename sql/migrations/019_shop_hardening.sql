-- 019 — shop hardening (issue 15).
--
-- The demo inbox shows a sign-in code only to the browser that asked for it:
-- the code email remembers the visitor that requested it.
alter table globalcart.shop_email_outbox add column requested_by uuid;
comment on column globalcart.shop_email_outbox.requested_by is 'Visitor (browser) that requested this one-time-code email; the demo inbox shows it to that visitor only';

-- A welcome offer is used once per customer (an order that is cancelled gives
-- it back); other codes may be reused.
alter table globalcart.shop_promo_codes add column once_per_customer boolean not null default false;
comment on column globalcart.shop_promo_codes.once_per_customer is 'Each customer may use the code on one order that is not cancelled';
update globalcart.shop_promo_codes set once_per_customer = true where code = 'WELCOME10';

-- The browser that signed an account up: in demo mode only it is shown that
-- account's sign-in codes.
alter table globalcart.shop_customers add column signup_visitor uuid;
comment on column globalcart.shop_customers.signup_visitor is 'Visitor (browser) that signed the account up; in demo mode only it sees the account''s sign-in codes';
