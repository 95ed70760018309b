//! customers → dim_geo and dim_customer.

use globalcart_schemas::CustomerEvent;

use super::{ts, uuid, Counts};
use crate::error::Result;
use crate::query::upsert;
use globalcart_common::query;

/// dim_geo: the newest version of each geography the batch's customers carry.
/// Shared by many customers (so by every partition): loaded with the calendar
/// days in the short transaction of [`crate::load`] that precedes the facts.
pub async fn geos<C: globalcart_common::query::Connection>(
    client: &C,
    events: &[CustomerEvent],
) -> Result<(u64, u64, u64)> {
    if events.is_empty() {
        return Ok((0, 0, 0));
    }
    let mut geos: std::collections::BTreeMap<i64, &CustomerEvent> = Default::default();
    for e in events {
        let held = geos.entry(e.geo_id).or_insert(e);
        if (e.updated_at, &e.event_id) > (held.updated_at, &held.event_id) {
            *held = e;
        }
    }
    let g: Vec<&CustomerEvent> = geos.into_values().collect();
    upsert(
        client,
        query!("dim_geo_upsert"),
        &[
            &g.iter().map(|e| e.geo_id).collect::<Vec<_>>(),
            &g.iter().map(|e| e.country.as_str()).collect::<Vec<_>>(),
            &g.iter().map(|e| e.region.as_str()).collect::<Vec<_>>(),
            &g.iter().map(|e| e.city.as_str()).collect::<Vec<_>>(),
            &g.iter().map(|e| e.currency.as_str()).collect::<Vec<_>>(),
            &g.iter().map(|e| uuid(&e.event_id)).collect::<Vec<_>>(),
            &g.iter().map(|e| ts(e.updated_at)).collect::<Vec<_>>(),
        ],
    )
    .await
}

/// dim_customer (its geography is loaded by [`geos`]).
pub async fn load<C: globalcart_common::query::Connection>(
    client: &C,
    events: &[CustomerEvent],
) -> Result<Counts> {
    if events.is_empty() {
        return Ok(Counts::default());
    }
    let r = upsert(
        client,
        query!("dim_customer_upsert"),
        &[
            &events.iter().map(|e| e.customer_id).collect::<Vec<_>>(),
            &events
                .iter()
                .map(|e| ts(e.customer_created_at))
                .collect::<Vec<_>>(),
            &events.iter().map(|e| e.geo_id).collect::<Vec<_>>(),
            &events
                .iter()
                .map(|e| e.acquisition_channel.as_str())
                .collect::<Vec<_>>(),
            &events.iter().map(|e| uuid(&e.event_id)).collect::<Vec<_>>(),
            &events.iter().map(|e| ts(e.updated_at)).collect::<Vec<_>>(),
        ],
    )
    .await?;
    Ok(Counts::of(events.len(), r))
}
