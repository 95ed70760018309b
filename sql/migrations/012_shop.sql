-- 012 — the shop's operational state, beside the star schema (catalog D2).
--
-- What the business measures (orders, payments, shipments, clicks, customers)
-- flows through the stream: a shop action writes its operational rows and the
-- events it causes into `shop_event_outbox` in one transaction, and a relay
-- publishes them to Kafka, where the consumers load them like any other event.
-- So a broker outage delays events but never loses them, and no shop write can
-- disagree with what was published.
--
-- Identifiers come from one sequence (never MAX+1). It starts at 8e15 so shop
-- ids never meet the generator's (history from 1, live from the start time in
-- microseconds, ~1.8e15 today) and stay below 2^53, exact in JavaScript.

set local search_path = globalcart;

create sequence shop_id_seq start with 8000000000000001;
comment on sequence shop_id_seq is 'Ids of everything the shop creates (customers, orders, items, payments, shipments)';

create table shop_customers (
    customer_id bigint primary key default nextval('globalcart.shop_id_seq'),
    email text not null unique check (email = lower(email)),
    display_name text not null check (length(display_name) between 1 and 120),
    password_hash text,
    geo_id bigint,
    created_at timestamptz not null default now(),
    verified_at timestamptz not null default now()
);
comment on table shop_customers is 'Shop accounts: one customer each (the reference hashed emails onto synthetic customers)';
comment on column shop_customers.customer_id is 'The customer key, also used in dim_customer';
comment on column shop_customers.email is 'Sign-in address, lower case';
comment on column shop_customers.display_name is 'Name shown in the shop';
comment on column shop_customers.password_hash is 'Argon2id PHC string; null for code-only accounts';
comment on column shop_customers.geo_id is 'Home geography (dim_geo), from the latest delivery address';
comment on column shop_customers.created_at is 'Sign-up time';
comment on column shop_customers.verified_at is 'When the address was proven with a one-time code';

create table shop_otps (
    otp_id bigint generated always as identity primary key,
    email text not null,
    purpose text not null check (purpose in ('signup', 'login')),
    otp_hash text not null,
    display_name text,
    password_hash text,
    client_ip text not null,
    attempts integer not null default 0,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    consumed_at timestamptz
);
create index shop_otps_email on shop_otps (email, created_at desc);
create index shop_otps_ip on shop_otps (client_ip, created_at desc);
comment on table shop_otps is 'One-time sign-up and sign-in codes: hashed, 10-minute lifetime, 5 attempts';
comment on column shop_otps.otp_id is 'Code key';
comment on column shop_otps.email is 'Address the code was sent to';
comment on column shop_otps.purpose is 'signup or login';
comment on column shop_otps.otp_hash is 'HMAC-SHA256 of the code under the app secret (the code itself is never stored)';
comment on column shop_otps.display_name is 'Pending name of a sign-up';
comment on column shop_otps.password_hash is 'Pending argon2 password of a sign-up';
comment on column shop_otps.client_ip is 'Client address of the request (rate limit)';
comment on column shop_otps.attempts is 'Wrong guesses so far; the 6th attempt is refused';
comment on column shop_otps.created_at is 'When the code was sent';
comment on column shop_otps.expires_at is 'After this the code is refused';
comment on column shop_otps.consumed_at is 'When the code was used';

create table shop_addresses (
    address_id bigint generated always as identity primary key,
    customer_id bigint not null references shop_customers on delete cascade,
    label text not null default '' check (length(label) <= 40),
    recipient_name text not null check (length(recipient_name) between 1 and 120),
    phone text not null check (length(phone) between 5 and 20),
    line1 text not null check (length(line1) between 1 and 200),
    line2 text not null default '' check (length(line2) <= 200),
    city text not null check (length(city) between 1 and 100),
    state text not null default '' check (length(state) <= 100),
    postal_code text not null check (length(postal_code) between 2 and 12),
    country text not null check (length(country) between 2 and 60),
    is_default boolean not null default false,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index shop_addresses_customer on shop_addresses (customer_id);
create unique index shop_addresses_one_default on shop_addresses (customer_id) where is_default;
comment on table shop_addresses is 'Saved delivery addresses; at most one default per customer';
comment on column shop_addresses.address_id is 'Address key';
comment on column shop_addresses.customer_id is 'Owner';
comment on column shop_addresses.label is 'Home, Work, …';
comment on column shop_addresses.recipient_name is 'Recipient';
comment on column shop_addresses.phone is 'Recipient phone';
comment on column shop_addresses.line1 is 'Street line 1';
comment on column shop_addresses.line2 is 'Street line 2';
comment on column shop_addresses.city is 'City';
comment on column shop_addresses.state is 'State or province';
comment on column shop_addresses.postal_code is 'Postal code';
comment on column shop_addresses.country is 'Country name';
comment on column shop_addresses.is_default is 'Preselected at checkout';
comment on column shop_addresses.created_at is 'Created';
comment on column shop_addresses.updated_at is 'Last changed';

create table shop_cart_items (
    owner text not null,
    product_id bigint not null,
    qty integer not null check (qty between 1 and 20),
    added_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (owner, product_id)
);
comment on table shop_cart_items is 'Cart lines of a visitor (owner v:<uuid>) or a signed-in customer (owner c:<id>)';
comment on column shop_cart_items.owner is 'v:<visitor uuid> before sign-in, c:<customer_id> after';
comment on column shop_cart_items.product_id is 'Product (dim_product)';
comment on column shop_cart_items.qty is 'Quantity 1-20';
comment on column shop_cart_items.added_at is 'First added';
comment on column shop_cart_items.updated_at is 'Last changed';

create table shop_wishlist (
    customer_id bigint not null references shop_customers on delete cascade,
    product_id bigint not null,
    created_at timestamptz not null default now(),
    primary key (customer_id, product_id)
);
comment on table shop_wishlist is 'Products a customer saved for later';
comment on column shop_wishlist.customer_id is 'Owner';
comment on column shop_wishlist.product_id is 'Product (dim_product)';
comment on column shop_wishlist.created_at is 'When it was saved';

create table shop_reviews (
    review_id bigint generated always as identity primary key,
    product_id bigint not null,
    customer_id bigint not null references shop_customers on delete cascade,
    rating smallint not null check (rating between 1 and 5),
    title text not null check (length(title) <= 120),
    body text not null check (length(body) <= 4000),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (product_id, customer_id)
);
create index shop_reviews_product on shop_reviews (product_id, created_at desc);
comment on table shop_reviews is 'Product reviews: one per customer and product, only after delivery';
comment on column shop_reviews.review_id is 'Review key';
comment on column shop_reviews.product_id is 'Reviewed product';
comment on column shop_reviews.customer_id is 'Author';
comment on column shop_reviews.rating is 'Stars 1-5';
comment on column shop_reviews.title is 'Headline';
comment on column shop_reviews.body is 'Text';
comment on column shop_reviews.created_at is 'First written';
comment on column shop_reviews.updated_at is 'Last edited';

create table shop_promo_codes (
    code text primary key check (code = upper(code)),
    discount_type text not null check (discount_type in ('PERCENT', 'FLAT')),
    discount_value numeric(14,2) not null check (discount_value > 0),
    max_discount numeric(14,2),
    min_order_amount numeric(14,2) not null default 0,
    active boolean not null default true,
    expires_at timestamptz
);
comment on table shop_promo_codes is 'Promo codes, in the catalog currency';
comment on column shop_promo_codes.code is 'The code customers type (upper case)';
comment on column shop_promo_codes.discount_type is 'PERCENT of the subtotal or a FLAT amount';
comment on column shop_promo_codes.discount_value is 'Percent or amount';
comment on column shop_promo_codes.max_discount is 'Cap on the discount (null = none)';
comment on column shop_promo_codes.min_order_amount is 'Smallest subtotal the code applies to';
comment on column shop_promo_codes.active is 'Switched off codes are refused';
comment on column shop_promo_codes.expires_at is 'After this the code is refused (null = never)';
insert into shop_promo_codes (code, discount_type, discount_value, max_discount, min_order_amount)
values ('WELCOME10', 'PERCENT', 10, 250, 0), ('FLAT100', 'FLAT', 100, null, 499);

create table shop_inventory (
    product_id bigint primary key,
    on_hand integer not null check (on_hand >= 0),
    reserved integer not null default 0 check (reserved >= 0 and reserved <= on_hand),
    updated_at timestamptz not null default now()
);
comment on table shop_inventory is 'Stock per product; a product gets a row (25 + id mod 25 units) the first time it is stocked';
comment on column shop_inventory.product_id is 'Product (dim_product)';
comment on column shop_inventory.on_hand is 'Units in the warehouse';
comment on column shop_inventory.reserved is 'Units held by unpaid orders; available = on_hand - reserved';
comment on column shop_inventory.updated_at is 'Last changed';

create table shop_orders (
    order_id bigint primary key,
    customer_id bigint not null references shop_customers,
    idempotency_key uuid not null unique,
    geo_id bigint not null,
    status text not null check (status in ('CREATED', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED')),
    payment_status text not null check (payment_status in ('PENDING', 'CAPTURED', 'FAILED', 'REFUNDED')),
    payment_method text not null,
    channel text not null,
    device text not null,
    currency char(3) not null,
    gross numeric(14,2) not null,
    discount numeric(14,2) not null,
    promo_code text,
    promo_discount numeric(14,2) not null default 0,
    tax numeric(14,2) not null,
    total numeric(14,2) not null,
    address jsonb not null,
    session_id text not null,
    site_url text not null default '',
    order_event jsonb not null,
    payment_event jsonb not null,
    shipment_event jsonb,
    created_at timestamptz not null default now(),
    paid_at timestamptz,
    shipped_at timestamptz,
    delivered_at timestamptz,
    cancelled_at timestamptz,
    cancel_reason text,
    updated_at timestamptz not null default now()
);
create index shop_orders_customer on shop_orders (customer_id, created_at desc);
create index shop_orders_open on shop_orders (status) where status in ('CREATED', 'CONFIRMED', 'SHIPPED');
comment on table shop_orders is 'Orders placed in the shop (their events feed fact_orders through the stream)';
comment on column shop_orders.order_id is 'Order key (shop_id_seq), also in fact_orders';
comment on column shop_orders.customer_id is 'Buyer';
comment on column shop_orders.idempotency_key is 'Checkout key sent by the page: a repeated checkout returns the same order';
comment on column shop_orders.geo_id is 'Geography of the delivery address (dim_geo)';
comment on column shop_orders.status is 'CREATED, CONFIRMED, SHIPPED, DELIVERED or CANCELLED';
comment on column shop_orders.payment_status is 'PENDING, CAPTURED, FAILED or REFUNDED';
comment on column shop_orders.payment_method is 'CARD, UPI, NETBANKING or WALLET';
comment on column shop_orders.channel is 'WEB or APP';
comment on column shop_orders.device is 'DESKTOP or MOBILE';
comment on column shop_orders.currency is 'Currency of the amounts';
comment on column shop_orders.gross is 'Sum of list price x qty';
comment on column shop_orders.discount is 'Product discounts plus the promo discount';
comment on column shop_orders.promo_code is 'Promo code applied';
comment on column shop_orders.promo_discount is 'Part of the discount from the promo code';
comment on column shop_orders.tax is 'Tax (7 % of the discounted lines)';
comment on column shop_orders.total is 'Charged amount = gross - discount + tax';
comment on column shop_orders.address is 'Delivery address as given at checkout';
comment on column shop_orders.session_id is 'Funnel session of the checkout';
comment on column shop_orders.site_url is 'Public address the order was placed at (behind a proxy: X-Forwarded-Proto/Host), for links in emails';
comment on column shop_orders.order_event is 'The last order event published (the next one changes only what moved)';
comment on column shop_orders.payment_event is 'The last payment event published';
comment on column shop_orders.shipment_event is 'The last shipment event published (null before payment)';
comment on column shop_orders.created_at is 'Checkout time';
comment on column shop_orders.paid_at is 'Payment captured';
comment on column shop_orders.shipped_at is 'Handed to the carrier';
comment on column shop_orders.delivered_at is 'Delivered';
comment on column shop_orders.cancelled_at is 'Cancelled (by the customer or a failed payment)';
comment on column shop_orders.cancel_reason is 'Why it was cancelled';
comment on column shop_orders.updated_at is 'Last changed';

create table shop_order_items (
    order_item_id bigint primary key,
    order_id bigint not null references shop_orders on delete cascade,
    product_id bigint not null,
    product_name text not null,
    qty integer not null check (qty between 1 and 20),
    unit_list_price numeric(14,2) not null,
    unit_sell_price numeric(14,2) not null,
    unit_cost numeric(14,2) not null,
    line_discount numeric(14,2) not null,
    line_tax numeric(14,2) not null,
    line_net numeric(14,2) not null
);
create index shop_order_items_order on shop_order_items (order_id);
comment on table shop_order_items is 'Lines of shop orders, priced at checkout';
comment on column shop_order_items.order_item_id is 'Line key (shop_id_seq)';
comment on column shop_order_items.order_id is 'Order';
comment on column shop_order_items.product_id is 'Product';
comment on column shop_order_items.product_name is 'Name at checkout';
comment on column shop_order_items.qty is 'Units';
comment on column shop_order_items.unit_list_price is 'List price';
comment on column shop_order_items.unit_sell_price is 'Price after the product discount';
comment on column shop_order_items.unit_cost is 'Unit cost (COGS)';
comment on column shop_order_items.line_discount is 'Product discount plus the line''s share of the promo';
comment on column shop_order_items.line_tax is 'Tax of the line';
comment on column shop_order_items.line_net is 'Net revenue of the line, ex tax';

create table shop_reservations (
    reservation_id bigint generated always as identity primary key,
    order_id bigint not null references shop_orders on delete cascade,
    product_id bigint not null,
    qty integer not null check (qty >= 1),
    status text not null check (status in ('RESERVED', 'CONSUMED', 'RELEASED')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (order_id, product_id)
);
comment on table shop_reservations is 'Stock held for an order: reserved at checkout, consumed on payment, released on failure, cancellation or expiry';
comment on column shop_reservations.reservation_id is 'Reservation key';
comment on column shop_reservations.order_id is 'Order';
comment on column shop_reservations.product_id is 'Product';
comment on column shop_reservations.qty is 'Units';
comment on column shop_reservations.status is 'RESERVED, CONSUMED or RELEASED';
comment on column shop_reservations.created_at is 'Reserved';
comment on column shop_reservations.updated_at is 'Last changed';

create table shop_payments (
    payment_id bigint primary key,
    order_id bigint not null unique references shop_orders on delete cascade,
    provider text not null,
    provider_payment_id text not null unique,
    status text not null check (status in ('PENDING', 'CAPTURED', 'FAILED', 'REFUNDED')),
    amount numeric(14,2) not null,
    currency char(3) not null,
    method text not null,
    gateway_fee numeric(14,2) not null default 0,
    failure_reason text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
comment on table shop_payments is 'Payments with the provider''s reference';
comment on column shop_payments.payment_id is 'Payment key (shop_id_seq), also in fact_payments';
comment on column shop_payments.order_id is 'Order paid';
comment on column shop_payments.provider is 'Payment provider (SIMULATED here; a real one plugs in)';
comment on column shop_payments.provider_payment_id is 'The provider''s id of the payment';
comment on column shop_payments.status is 'PENDING, CAPTURED, FAILED or REFUNDED';
comment on column shop_payments.amount is 'Amount charged';
comment on column shop_payments.currency is 'Currency';
comment on column shop_payments.method is 'Payment method';
comment on column shop_payments.gateway_fee is 'Provider fee on capture';
comment on column shop_payments.failure_reason is 'Why it failed';
comment on column shop_payments.created_at is 'Created';
comment on column shop_payments.updated_at is 'Last changed';

create table shop_webhook_events (
    provider text not null,
    event_id text not null,
    event_type text not null,
    payload jsonb not null,
    signature text not null,
    received_at timestamptz not null default now(),
    primary key (provider, event_id)
);
comment on table shop_webhook_events is 'Payment webhooks, processed once per provider event id';
comment on column shop_webhook_events.provider is 'Provider';
comment on column shop_webhook_events.event_id is 'The provider''s event id (idempotency key)';
comment on column shop_webhook_events.event_type is 'payment.captured, payment.failed, …';
comment on column shop_webhook_events.payload is 'The body as received';
comment on column shop_webhook_events.signature is 'The HMAC signature it carried (verified)';
comment on column shop_webhook_events.received_at is 'When it arrived';

create table shop_email_outbox (
    email_id bigint generated always as identity primary key,
    customer_id bigint,
    to_email text not null,
    kind text not null,
    subject text not null,
    body text not null,
    order_id bigint,
    status text not null default 'PENDING' check (status in ('PENDING', 'DELIVERED')),
    created_at timestamptz not null default now(),
    delivered_at timestamptz
);
create index shop_email_outbox_to on shop_email_outbox (to_email, created_at desc);
comment on table shop_email_outbox is 'Emails to customers; the in-app inbox shows them (no SMTP is configured in the demo)';
comment on column shop_email_outbox.email_id is 'Email key';
comment on column shop_email_outbox.customer_id is 'Recipient customer, when known';
comment on column shop_email_outbox.to_email is 'Recipient address';
comment on column shop_email_outbox.kind is 'OTP, WELCOME, ORDER_PLACED, ORDER_CONFIRMED, PAYMENT_FAILED, ORDER_CANCELLED, ORDER_SHIPPED, ORDER_DELIVERED';
comment on column shop_email_outbox.subject is 'Subject';
comment on column shop_email_outbox.body is 'Plain-text body';
comment on column shop_email_outbox.order_id is 'Order it is about';
comment on column shop_email_outbox.status is 'PENDING until delivered to the inbox';
comment on column shop_email_outbox.created_at is 'Queued';
comment on column shop_email_outbox.delivered_at is 'Delivered';

create table shop_event_outbox (
    outbox_id bigint generated always as identity primary key,
    topic text not null,
    event_key text not null,
    payload bytea not null,
    created_at timestamptz not null default now(),
    published_at timestamptz
);
create index shop_event_outbox_pending on shop_event_outbox (outbox_id) where published_at is null;
comment on table shop_event_outbox is 'Events caused by shop actions, written in the action''s transaction and published to Kafka by the relay';
comment on column shop_event_outbox.outbox_id is 'Order of publication';
comment on column shop_event_outbox.topic is 'Topic name without the prefix (orders, payments, clickstream, …)';
comment on column shop_event_outbox.event_key is 'Kafka key';
comment on column shop_event_outbox.payload is 'Avro-encoded event (schemas/avro)';
comment on column shop_event_outbox.created_at is 'Written';
comment on column shop_event_outbox.published_at is 'Acknowledged by the broker';
