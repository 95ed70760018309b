//! products → dim_product.

use globalcart_schemas::ProductEvent;

use super::{ts, uuid, Counts};
use crate::error::Result;
use crate::query::upsert;
use globalcart_common::query;

pub async fn load<C: globalcart_common::query::Connection>(
    client: &C,
    events: &[ProductEvent],
) -> Result<Counts> {
    if events.is_empty() {
        return Ok(Counts::default());
    }
    let col = |f: fn(&ProductEvent) -> &str| events.iter().map(f).collect::<Vec<_>>();
    let r = upsert(
        client,
        query!("dim_product_upsert"),
        &[
            &events.iter().map(|e| e.product_id).collect::<Vec<_>>(),
            &col(|e| &e.sku),
            &col(|e| &e.product_name),
            &col(|e| &e.category_l1),
            &col(|e| &e.category_l2),
            &col(|e| &e.brand),
            &col(|e| &e.currency),
            &events.iter().map(|e| e.unit_cost).collect::<Vec<_>>(),
            &events.iter().map(|e| e.list_price).collect::<Vec<_>>(),
            &events.iter().map(|e| uuid(&e.event_id)).collect::<Vec<_>>(),
            &events.iter().map(|e| ts(e.updated_at)).collect::<Vec<_>>(),
        ],
    )
    .await?;
    Ok(Counts::of(events.len(), r))
}
