insert into globalcart.etl_watermarks as t (source_name, last_event_ts, events_loaded)
select * from unnest($1::text[], $2::timestamptz[], $3::bigint[])
on conflict (source_name) do update set
    last_event_ts = greatest(t.last_event_ts, excluded.last_event_ts),
    events_loaded = t.events_loaded + excluded.events_loaded,
    updated_at = now()
