-- The fulfilment centre that ships to country $1 (one in that country if any):
-- id, name, country, time zone; a shop centre when none is loaded yet.
select fc_id, fc_name, country, timezone from (
    select fc_id, fc_name, country, timezone, lower(country) = lower($1) as local
    from globalcart.dim_fc
    union all
    select 8000000000000000, 'GlobalCart Shop FC', 'India', 'Asia/Kolkata', false
) f
order by local desc, fc_id = 8000000000000000, fc_id
limit 1
