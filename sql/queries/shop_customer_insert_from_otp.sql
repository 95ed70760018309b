-- Creates the account pending on sign-up code $1, signed up by visitor $2 (or
-- returns the existing one of that address): id, email, name. Its home
-- geography starts as the first geography loaded; the first delivery address
-- refines it.
with o as (select email, display_name, password_hash from globalcart.shop_otps where otp_id = $1),
ins as (
    insert into globalcart.shop_customers (email, display_name, password_hash, geo_id, signup_visitor)
    select email, display_name, password_hash,
           (select min(geo_id) from globalcart.dim_geo), $2
    from o
    on conflict (email) do nothing
    returning customer_id, email, display_name
)
select customer_id, email, display_name from ins
union all
select c.customer_id, c.email, c.display_name from globalcart.shop_customers c join o using (email)
limit 1
