-- Serializes the checkouts of one cart (owner $1) until the transaction ends:
-- a double click or parallel requests check the cart out once.
select pg_advisory_xact_lock(hashtextextended('shop checkout ' || $1::text, 0))
