//! The shop clock: ships paid orders after `ship_after`, delivers them after
//! `deliver_after` (so live orders do reach DELIVERED and can be reviewed),
//! and cancels unpaid orders after `reservation_ttl`, releasing their stock
//! (reservations never lock stock forever). Each step is one transaction per
//! order through [`super::lifecycle`].

use globalcart_common::query;
use globalcart_schemas::OrderStatus;
use std::time::Duration;

use tokio::sync::watch;

use super::lifecycle;
use crate::ShopState;
use globalcart_httpkit::Result;

/// Applies every transition that is due; returns how many.
pub async fn tick(state: &ShopState) -> Result<usize> {
    let s = state.shop.settings();
    let due = query!("shop_orders_due")
        .rows(
            &state.pool.get().await?,
            &[
                &s.ship_after.as_secs_f64(),
                &s.deliver_after.as_secs_f64(),
                &s.reservation_ttl.as_secs_f64(),
            ],
        )
        .await?;
    let mut done = 0;
    for r in due {
        let (order_id, step): (i64, String) = (r.get("order_id"), r.get("step"));
        let mut client = state.pool.get().await?;
        let tx = client.transaction().await?;
        let mut o = lifecycle::lock(&tx, order_id, None).await?;
        match (step.as_str(), o.status.as_str()) {
            ("ship", s) if OrderStatus::Confirmed.is(s) => lifecycle::ship(&tx, &mut o).await?,
            ("deliver", s) if OrderStatus::Shipped.is(s) => lifecycle::deliver(&tx, &mut o).await?,
            ("expire", s) if OrderStatus::Created.is(s) => lifecycle::expire(&tx, &mut o).await?,
            _ => continue, // changed meanwhile
        }
        tx.commit().await?;
        done += 1;
    }
    if done > 0 {
        state.shop.nudge();
        state.shop.catalog().invalidate();
    }
    Ok(done)
}

/// Ticks every second until `stop`.
pub async fn run(state: ShopState, mut stop: watch::Receiver<bool>) {
    loop {
        if let Err(e) = tick(&state).await {
            tracing::warn!(error = %e, "shop clock: will retry");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => return,
        }
    }
}
