//! The whole report: every sheet's data read in one read-only snapshot, then
//! written to a workbook (blocking, CPU-bound: the caller runs it off the
//! async runtime).

use chrono::{DateTime, NaiveDate, Utc};
use rust_xlsxwriter::{DocProperties, Workbook};
use tokio_postgres::Client;

use crate::crosstab::{self, Measure};
use crate::error::{Error, Result};
use crate::format::Formats;
use crate::{channel, definitions, forecast, funnel, leakage, rfm, summary, trend, Period};
use globalcart_common::query;

/// The latest `globalcart analytics run`.
#[derive(Debug, Clone)]
pub(crate) struct AnalyticsRun {
    pub run_id: i64,
    pub as_of: NaiveDate,
    pub finished_at: DateTime<Utc>,
}

/// What the title rows of every sheet say.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    pub period: Period,
    pub generated_at: DateTime<Utc>,
    /// First and last day with data in the period (`kpi_period`).
    pub days: Option<(NaiveDate, NaiveDate)>,
    pub run: Option<AnalyticsRun>,
}

impl Context {
    /// Rows 2 and 3 of a period-bounded sheet.
    pub fn lines(&self) -> Vec<String> {
        let data = match self.days {
            Some((first, last)) => format!("Days with data: {first} to {last}"),
            None => "No day with data in the period".to_string(),
        };
        vec![
            format!("Period: {}", self.period.describe()),
            format!("{data}. {}", self.generated_line()),
        ]
    }

    pub fn generated_line(&self) -> String {
        format!(
            "Generated {} UTC by GlobalCart 360 from PostgreSQL; money in USD, ratios shown as %.",
            self.generated_at.format("%Y-%m-%d %H:%M:%S")
        )
    }
}

/// Every sheet's data.
#[derive(Debug, Clone)]
pub(crate) struct Report {
    ctx: Context,
    summary: summary::Data,
    trend: trend::Data,
    crosstab: crosstab::Data,
    channel: channel::Data,
    funnel: funnel::Data,
    leakage: leakage::Data,
    rfm: rfm::Data,
    forecast: forecast::Data,
    definitions: definitions::Data,
}

impl Report {
    /// Brings the two marts it reads up to date (the days touched since their
    /// last refresh: `refresh_bi_marts`), then reads everything in one
    /// repeatable-read, read-only transaction (the sheets agree with each
    /// other even while the consumers load), with JIT off
    /// (docs/kpi_definitions.md). `client` must not be in a transaction.
    pub async fn load(client: &Client, period: &Period) -> Result<Report> {
        globalcart_common::marts::refresh(
            client,
            "report",
            Some(&["mart_finance_profitability", "mart_order_lines"]),
            false,
        )
        .await?;
        let control = |sql: &'static str| async move {
            client
                .batch_execute(sql)
                .await
                .map_err(|source| Error::Query {
                    query: "report snapshot",
                    source,
                })
        };
        control("begin isolation level repeatable read read only; set local jit = off").await?;
        let loaded = Report::load_in(client, period).await;
        // read only: nothing to commit
        let ended = control("rollback").await;
        let report = loaded?;
        ended?;
        Ok(report)
    }

    async fn load_in(client: &Client, period: &Period) -> Result<Report> {
        let generated_at = Utc::now();
        // kpi_period is the costly statement (every KPI view over the period): once
        let period_row = summary::period_row(client, period).await?;
        let summary = summary::load(client, &period_row).await?;
        let definitions = definitions::load(client, &summary.keys()).await?;
        let q = query!("report_analytics_run");
        let run = match q.rows(client, &[]).await?.first() {
            Some(r) => Some(AnalyticsRun {
                run_id: q.get(r, "run_id")?,
                as_of: q.get(r, "as_of")?,
                finished_at: q.get(r, "finished_at")?,
            }),
            None => None,
        };
        let days = summary.day("first_dt").zip(summary.day("last_dt"));
        Ok(Report {
            ctx: Context {
                period: *period,
                generated_at,
                days,
                run,
            },
            trend: trend::load(client, period).await?,
            crosstab: crosstab::load(client, period).await?,
            channel: channel::load(client, period).await?,
            funnel: funnel::load(client, &period_row).await?,
            leakage: leakage::load(client, period, &period_row).await?,
            rfm: rfm::load(client).await?,
            forecast: forecast::load(client).await?,
            summary,
            definitions,
        })
    }

    /// The .xlsx bytes.
    pub fn write(&self) -> Result<Vec<u8>> {
        let mut wb = Workbook::new();
        wb.set_properties(
            &DocProperties::new()
                .set_title("GlobalCart 360 management report")
                .set_company("GlobalCart 360")
                .set_comment(format!("Period: {}", self.ctx.period.describe())),
        );
        let f = Formats::new();
        let ctx = &self.ctx;
        summary::write(wb.add_worksheet(), &f, ctx, &self.summary)?;
        trend::write(wb.add_worksheet(), &f, ctx, &self.trend)?;
        crosstab::write(
            wb.add_worksheet(),
            &f,
            ctx,
            &self.crosstab,
            Measure::NetRevenue,
        )?;
        crosstab::write(
            wb.add_worksheet(),
            &f,
            ctx,
            &self.crosstab,
            Measure::NetProfit,
        )?;
        channel::write(wb.add_worksheet(), &f, ctx, &self.channel)?;
        funnel::write(wb.add_worksheet(), &f, ctx, &self.funnel, &self.summary)?;
        leakage::write(wb.add_worksheet(), &f, ctx, &self.leakage)?;
        rfm::write(wb.add_worksheet(), &f, ctx, &self.rfm)?;
        forecast::write(wb.add_worksheet(), &f, ctx, &self.forecast)?;
        definitions::write(wb.add_worksheet(), &f, ctx, &self.definitions)?;
        Ok(wb.save_to_buffer()?)
    }
}
