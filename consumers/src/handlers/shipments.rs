//! shipments → dim_fc and fact_shipments.

use globalcart_schemas::ShipmentEvent;

use super::{date, ts, uuid, Counts};
use crate::error::Result;
use crate::query::upsert;
use globalcart_common::query;

/// dim_fc: the newest version of each fulfilment centre the batch's shipments
/// carry. Shared by every partition: loaded in the short transaction of
/// [`crate::load`] that precedes the facts.
pub async fn fcs<C: globalcart_common::query::Connection>(
    client: &C,
    events: &[ShipmentEvent],
) -> Result<(u64, u64, u64)> {
    if events.is_empty() {
        return Ok((0, 0, 0));
    }
    let mut fcs: std::collections::BTreeMap<i64, &ShipmentEvent> = Default::default();
    for e in events {
        let held = fcs.entry(e.fc_id).or_insert(e);
        if (e.updated_at, &e.event_id) > (held.updated_at, &held.event_id) {
            *held = e;
        }
    }
    let f: Vec<&ShipmentEvent> = fcs.into_values().collect();
    upsert(
        client,
        query!("dim_fc_upsert"),
        &[
            &f.iter().map(|e| e.fc_id).collect::<Vec<_>>(),
            &f.iter().map(|e| e.fc_name.as_str()).collect::<Vec<_>>(),
            &f.iter().map(|e| e.fc_country.as_str()).collect::<Vec<_>>(),
            &f.iter().map(|e| e.fc_timezone.as_str()).collect::<Vec<_>>(),
            &f.iter().map(|e| uuid(&e.event_id)).collect::<Vec<_>>(),
            &f.iter().map(|e| ts(e.updated_at)).collect::<Vec<_>>(),
        ],
    )
    .await
}

/// fact_shipments (the centres are loaded by [`fcs`]).
pub async fn load<C: globalcart_common::query::Connection>(
    client: &C,
    events: &[ShipmentEvent],
) -> Result<Counts> {
    if events.is_empty() {
        return Ok(Counts::default());
    }

    let col = |f: fn(&ShipmentEvent) -> &str| events.iter().map(f).collect::<Vec<_>>();
    let num = |f: fn(&ShipmentEvent) -> i64| events.iter().map(f).collect::<Vec<_>>();
    let r = upsert(
        client,
        query!("fact_shipments_upsert"),
        &[
            &num(|e| e.shipment_id),
            &num(|e| e.order_id),
            &num(|e| e.fc_id),
            &col(|e| &e.carrier),
            &col(|e| &e.shipment_status),
            &col(|e| &e.currency),
            &num(|e| e.shipping_cost),
            &events
                .iter()
                .map(|e| e.shipped_ts.map(ts))
                .collect::<Vec<_>>(),
            &events
                .iter()
                .map(|e| date(e.promised_delivery_dt))
                .collect::<Vec<_>>(),
            &events
                .iter()
                .map(|e| e.delivered_dt.map(date))
                .collect::<Vec<_>>(),
            &events
                .iter()
                .map(|e| e.sla_breached_flag)
                .collect::<Vec<_>>(),
            &events.iter().map(|e| uuid(&e.event_id)).collect::<Vec<_>>(),
            &events.iter().map(|e| ts(e.updated_at)).collect::<Vec<_>>(),
        ],
    )
    .await?;
    Ok(Counts::of(events.len(), r))
}
