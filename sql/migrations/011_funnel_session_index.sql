-- 011 — clicks by session in time order. The live KPI notifications look up
-- the start of each session a batch touched (min(event_ts) per session_id);
-- with an index on session_id alone, Postgres answered min() by walking the
-- event_ts index until the session appeared (hundreds of ms per session). The
-- composite index answers it with one descent, and serves session_id lookups
-- as the old index did.

set local search_path = globalcart;

create index fact_funnel_events_session_id_event_ts on fact_funnel_events (session_id, event_ts);
drop index fact_funnel_events_session_id;
