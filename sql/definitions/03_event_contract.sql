-- The event contract the warehouse enforces: an order line never moves to
-- another order (018).
--
-- sql/definitions/ holds every view, materialized view, function, trigger and
-- row type of the schema, each in its current form only. `globalcart migrate`
-- applies sql/migrations/ (tables, indexes, data) and then, whenever any file
-- here changed, drops every definition and re-creates them all from these
-- files, in file order, in the same transaction.

set local search_path = globalcart;

-- 018 — the event contract in the warehouse (issue 15).
--
-- An order line belongs to one order forever. An order event that reuses
-- another order's order_item_id used to move that line to itself; now the
-- update is refused (SQLSTATE 23514, check_violation) with a message naming
-- both orders, and the consumer isolates the message and dead-letters it with
-- that message. The other rules of the contract (ids, money, currencies,
-- times) are checked when an event is decoded (schemas/src/contract.rs).
create function globalcart.refuse_order_line_move() returns trigger
language plpgsql as $$
begin
    raise exception 'order_item_id % belongs to order %, not order %',
        old.order_item_id, old.order_id, new.order_id
        using errcode = 'check_violation',
              detail = 'An order line belongs to one order forever (docs/architecture.md, "The event contract").',
              schema = 'globalcart', table = 'fact_order_items', column = 'order_id';
end
$$;
comment on function globalcart.refuse_order_line_move() is 'Refuses an update that moves an order line to another order';

create trigger fact_order_items_owner
    before update of order_id on globalcart.fact_order_items
    for each row when (old.order_id is distinct from new.order_id)
    execute function globalcart.refuse_order_line_move();
