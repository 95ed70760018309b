//! payments → fact_payments.

use globalcart_schemas::PaymentEvent;

use super::{ts, uuid, Counts};
use crate::error::Result;
use crate::query::upsert;
use globalcart_common::query;

pub async fn load<C: globalcart_common::query::Connection>(
    client: &C,
    events: &[PaymentEvent],
) -> Result<Counts> {
    if events.is_empty() {
        return Ok(Counts::default());
    }
    let col = |f: fn(&PaymentEvent) -> &str| events.iter().map(f).collect::<Vec<_>>();
    let num = |f: fn(&PaymentEvent) -> i64| events.iter().map(f).collect::<Vec<_>>();
    let r = upsert(
        client,
        query!("fact_payments_upsert"),
        &[
            &num(|e| e.payment_id),
            &num(|e| e.order_id),
            &col(|e| &e.payment_method),
            &col(|e| &e.payment_status),
            &col(|e| &e.payment_provider),
            &col(|e| &e.currency),
            &num(|e| e.amount),
            &num(|e| e.gateway_fee_amount),
            &num(|e| e.refund_amount),
            &events
                .iter()
                .map(|e| e.authorized_ts.map(ts))
                .collect::<Vec<_>>(),
            &events
                .iter()
                .map(|e| e.captured_ts.map(ts))
                .collect::<Vec<_>>(),
            &events
                .iter()
                .map(|e| e.failure_reason.as_deref())
                .collect::<Vec<_>>(),
            &events.iter().map(|e| e.chargeback_flag).collect::<Vec<_>>(),
            &events.iter().map(|e| uuid(&e.event_id)).collect::<Vec<_>>(),
            &events.iter().map(|e| ts(e.updated_at)).collect::<Vec<_>>(),
        ],
    )
    .await?;
    Ok(Counts::of(events.len(), r))
}
