//! returns → fact_returns.

use globalcart_schemas::ReturnEvent;

use super::{ts, uuid, Counts};
use crate::error::Result;
use crate::query::upsert;
use globalcart_common::query;

pub async fn load<C: globalcart_common::query::Connection>(
    client: &C,
    events: &[ReturnEvent],
) -> Result<Counts> {
    if events.is_empty() {
        return Ok(Counts::default());
    }
    let col = |f: fn(&ReturnEvent) -> &str| events.iter().map(f).collect::<Vec<_>>();
    let num = |f: fn(&ReturnEvent) -> i64| events.iter().map(f).collect::<Vec<_>>();
    let r = upsert(
        client,
        query!("fact_returns_upsert"),
        &[
            &num(|e| e.return_id),
            &num(|e| e.order_id),
            &num(|e| e.order_item_id),
            &num(|e| e.product_id),
            &events.iter().map(|e| ts(e.return_ts)).collect::<Vec<_>>(),
            &col(|e| &e.return_reason),
            &col(|e| &e.return_status),
            &col(|e| &e.currency),
            &num(|e| e.refund_amount),
            &events.iter().map(|e| e.restocked_flag).collect::<Vec<_>>(),
            &events.iter().map(|e| uuid(&e.event_id)).collect::<Vec<_>>(),
            &events.iter().map(|e| ts(e.updated_at)).collect::<Vec<_>>(),
        ],
    )
    .await?;
    Ok(Counts::of(events.len(), r))
}
