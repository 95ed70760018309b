//! SVG charts of the stored results (plotters, SVG backend only: no fonts or
//! system libraries): revenue with its forecast bands, RFM segment sizes, the
//! cohort heatmap and leakage by driver.

use globalcart_common::query;
use std::path::{Path, PathBuf};

use plotters::prelude::*;

use crate::frame::date_of;
use crate::{Error, Result};

fn plot_err(plot: &str) -> impl Fn(Box<dyn std::error::Error + '_>) -> Error + '_ {
    move |e| Error::Plot {
        plot: plot.to_string(),
        reason: e.to_string(),
    }
}

macro_rules! tryp {
    ($plot:expr, $e:expr) => {
        $e.map_err(|e| plot_err($plot)(Box::new(e)))?
    };
}

/// Renders the four charts from the latest run into `dir`; returns their paths.
pub async fn render(database_url: &str, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let client = crate::connect(database_url).await?;
    let mut out = Vec::new();

    let rows = query!("analytics_plot_forecast_select")
        .rows(&client, &[])
        .await?;
    let series: Vec<[Option<f64>; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.get("actual"),
                r.get("point"),
                r.get("lower_80"),
                r.get("upper_80"),
                r.get("lower_95"),
                r.get("upper_95"),
            ]
        })
        .collect();
    let days: Vec<i32> = rows.iter().map(|r| r.get("day")).collect();
    let model: String = rows.first().map(|r| r.get("model")).unwrap_or_default();
    out.push(revenue(
        &dir.join("revenue_forecast.svg"),
        &days,
        &series,
        &model,
    )?);

    let rows = query!("analytics_plot_segments_select")
        .rows(&client, &[])
        .await?;
    let mut bars: Vec<(String, f64)> = crate::rfm::SEGMENTS
        .iter()
        .map(|s| {
            let n = rows
                .iter()
                .find(|r| r.get::<_, String>("segment") == *s)
                .map_or(0, |r| r.get::<_, i64>("customers"));
            (s.to_string(), n as f64)
        })
        .collect();
    out.push(bar_chart(
        &dir.join("rfm_segments.svg"),
        "Customers per RFM segment",
        "customers",
        &bars,
    )?);

    let rows = query!("analytics_plot_cohorts_select")
        .rows(&client, &[])
        .await?;
    let cohorts: Vec<(String, Vec<f64>)> = rows
        .iter()
        .map(|r| (r.get("cohort"), r.get("retention")))
        .collect();
    out.push(heatmap(&dir.join("cohort_retention.svg"), &cohorts)?);

    let rows = query!("analytics_plot_leakage_select")
        .rows(&client, &[])
        .await?;
    bars = rows
        .iter()
        .map(|r| (r.get::<_, String>("driver"), r.get::<_, f64>("amount_usd")))
        .collect();
    out.push(bar_chart(
        &dir.join("leakage_by_driver.svg"),
        "Profit leakage by driver (USD)",
        "USD",
        &bars,
    )?);
    Ok(out)
}

fn revenue(path: &Path, days: &[i32], s: &[[Option<f64>; 6]], model: &str) -> Result<PathBuf> {
    const P: &str = "revenue_forecast";
    let root = SVGBackend::new(path, (1100, 500)).into_drawing_area();
    tryp!(P, root.fill(&WHITE));
    let vals = s.iter().flat_map(|r| r.iter().flatten().copied());
    let (lo, hi) = vals.fold((0.0f64, 1.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let n = days.len().max(2) as f64;
    let first = days.first().copied().unwrap_or(0);
    let mut chart = tryp!(
        P,
        ChartBuilder::on(&root)
            .caption(
                format!("Daily net revenue (USD) and 30-day forecast ({model})"),
                ("sans-serif", 20)
            )
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d(0f64..n, lo..hi * 1.05)
    );
    let fmt = |x: &f64| date_of(first + *x as i32).to_string();
    tryp!(
        P,
        chart
            .configure_mesh()
            .x_labels(8)
            .x_label_formatter(&fmt)
            .draw()
    );
    let band = |lo_i: usize, hi_i: usize| -> Vec<(f64, f64)> {
        let pts: Vec<(f64, f64, f64)> = s
            .iter()
            .enumerate()
            .filter_map(|(i, r)| Some((i as f64, r[lo_i]?, r[hi_i]?)))
            .collect();
        let mut poly: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.2)).collect();
        poly.extend(pts.iter().rev().map(|p| (p.0, p.1)));
        poly
    };
    tryp!(
        P,
        chart.draw_series(std::iter::once(Polygon::new(band(4, 5), BLUE.mix(0.15))))
    )
    .label("95 % interval")
    .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 15, y + 5)], BLUE.mix(0.15).filled()));
    tryp!(
        P,
        chart.draw_series(std::iter::once(Polygon::new(band(2, 3), BLUE.mix(0.3))))
    )
    .label("80 % interval")
    .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 15, y + 5)], BLUE.mix(0.3).filled()));
    let line = |k: usize| {
        s.iter()
            .enumerate()
            .filter_map(move |(i, r)| Some((i as f64, r[k]?)))
    };
    tryp!(P, chart.draw_series(LineSeries::new(line(0), &BLACK)))
        .label("actual")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], BLACK));
    tryp!(P, chart.draw_series(LineSeries::new(line(1), &BLUE)))
        .label("forecast")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], BLUE));
    tryp!(
        P,
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
    );
    tryp!(P, root.present());
    Ok(path.to_path_buf())
}

fn bar_chart(path: &Path, title: &str, unit: &str, bars: &[(String, f64)]) -> Result<PathBuf> {
    let root = SVGBackend::new(path, (900, 450)).into_drawing_area();
    tryp!(title, root.fill(&WHITE));
    let max = bars.iter().map(|b| b.1).fold(1.0f64, f64::max);
    let n = bars.len().max(1);
    let mut chart = tryp!(
        title,
        ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(90)
            .build_cartesian_2d(0f64..n as f64, 0f64..max * 1.1)
    );
    let names: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
    let fmt = move |x: &f64| {
        let i = x.floor() as usize;
        if (x - i as f64 - 0.5).abs() < 0.01 {
            names.get(i).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    tryp!(
        title,
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(2 * n + 1)
            .x_label_formatter(&fmt)
            .y_desc(unit)
            .draw()
    );
    tryp!(
        title,
        chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
            Rectangle::new(
                [(i as f64 + 0.15, 0.0), (i as f64 + 0.85, b.1)],
                Palette99::pick(i).filled(),
            )
        }))
    );
    tryp!(title, root.present());
    Ok(path.to_path_buf())
}

fn heatmap(path: &Path, cohorts: &[(String, Vec<f64>)]) -> Result<PathBuf> {
    const P: &str = "cohort_retention";
    let rows = cohorts.len().max(1);
    let cols = cohorts.iter().map(|c| c.1.len()).max().unwrap_or(1).max(1);
    let root = SVGBackend::new(path, (1000, (120 + 22 * rows as u32).max(300))).into_drawing_area();
    tryp!(P, root.fill(&WHITE));
    let mut chart = tryp!(
        P,
        ChartBuilder::on(&root)
            .caption(
                "Cohort retention (share of the cohort active, by months since first order)",
                ("sans-serif", 18)
            )
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d(0f64..cols as f64, 0f64..rows as f64)
    );
    let names: Vec<String> = cohorts.iter().map(|c| c.0.clone()).collect();
    let yfmt = move |y: &f64| {
        let i = y.floor() as usize;
        if (y - i as f64 - 0.5).abs() < 0.01 {
            names.get(rows - 1 - i).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    let xfmt = |x: &f64| {
        let i = x.floor();
        if (x - i - 0.5).abs() < 0.01 {
            format!("{i}")
        } else {
            String::new()
        }
    };
    tryp!(
        P,
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(2 * cols + 1)
            .y_labels(2 * rows + 1)
            .x_label_formatter(&xfmt)
            .y_label_formatter(&yfmt)
            .x_desc("months since acquisition")
            .draw()
    );
    let cells = cohorts.iter().enumerate().flat_map(|(r, (_, ret))| {
        ret.iter().enumerate().map(move |(c, &v)| {
            let y = (rows - 1 - r) as f64;
            let shade = (255.0 * (1.0 - v.clamp(0.0, 1.0))) as u8;
            Rectangle::new(
                [(c as f64, y), (c as f64 + 1.0, y + 1.0)],
                RGBColor(shade, shade, 255).filled(),
            )
        })
    });
    tryp!(P, chart.draw_series(cells));
    tryp!(P, root.present());
    Ok(path.to_path_buf())
}
