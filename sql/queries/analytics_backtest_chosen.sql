-- The backtest errors of the model chosen for series $1: MAPE, sMAPE, MASE.
select mape, smape, mase from globalcart.analytics_backtest where series = $1 and chosen
