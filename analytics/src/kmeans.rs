//! k-means on the RFM values (linfa), beside the rule-based segments: features
//! are log1p(recency), log1p(frequency), log1p(monetary), standardised; k is
//! chosen by the highest silhouette.

use std::collections::HashMap;

use linfa::prelude::*;
use linfa_clustering::KMeans;
use ndarray::{Array1, Array2, Axis};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::rfm::Rfm;
use crate::{Error, Result};

/// The k values tried.
pub const K_RANGE: std::ops::RangeInclusive<usize> = 2..=8;
/// Customers the centroids are fitted on (an even sample when there are more).
pub const FIT_SAMPLE: usize = 20_000;
/// Customers the silhouette is measured on (it is quadratic).
pub const SILHOUETTE_SAMPLE: usize = 2_000;

/// One k tried.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KScore {
    pub k: usize,
    pub silhouette: f64,
    pub inertia: f64,
    pub chosen: bool,
}

/// One cluster of the chosen k.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Cluster {
    pub cluster: usize,
    pub customers: usize,
    pub avg_recency_days: f64,
    pub avg_frequency: f64,
    pub avg_monetary_usd: f64,
    pub top_segment: String,
    pub top_segment_share: f64,
}

/// The clustering: scores per k, the chosen clusters, a label per customer (same order as the input).
#[derive(Debug, Clone, Default)]
pub struct Clustering {
    pub scores: Vec<KScore>,
    pub clusters: Vec<Cluster>,
    pub labels: Vec<Option<usize>>,
}

fn features(rfm: &[Rfm]) -> Array2<f64> {
    let mut x = Array2::zeros((rfm.len(), 3));
    for (i, c) in rfm.iter().enumerate() {
        x[[i, 0]] = f64::from(c.recency_days.max(0)).ln_1p();
        x[[i, 1]] = (c.frequency as f64).ln_1p();
        x[[i, 2]] = c.monetary_usd.max(0.0).ln_1p();
    }
    let mean = x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(3));
    let sd = x
        .std_axis(Axis(0), 0.0)
        .mapv(|s| if s > 0.0 { s } else { 1.0 });
    (x - &mean) / &sd
}

/// Every `n / limit`-th row (all rows when there are fewer than `limit`).
fn even_sample(n: usize, limit: usize) -> Vec<usize> {
    if n <= limit {
        return (0..n).collect();
    }
    (0..limit).map(|i| i * n / limit).collect()
}

/// Fits k-means for every k of [`K_RANGE`] and keeps the best silhouette.
pub fn cluster(rfm: &[Rfm]) -> Result<Clustering> {
    let n = rfm.len();
    if n < 3 * K_RANGE.start() {
        return Ok(Clustering {
            labels: vec![None; n],
            ..Clustering::default()
        });
    }
    let x = features(rfm);
    let fit_rows = x.select(Axis(0), &even_sample(n, FIT_SAMPLE));
    let sil_idx = even_sample(n, SILHOUETTE_SAMPLE);
    let sil_rows = x.select(Axis(0), &sil_idx);
    let mut best: Option<(f64, KMeans<f64, _>)> = None;
    let mut scores = Vec::new();
    for k in K_RANGE.filter(|&k| k < n) {
        let model = KMeans::params_with_rng(k, ChaCha8Rng::seed_from_u64(7))
            .n_runs(3)
            .max_n_iterations(100)
            .tolerance(1e-4)
            .fit(&DatasetBase::from(fit_rows.clone()))
            .map_err(|e| Error::model("kmeans", e))?;
        let labels: Array1<usize> = model.predict(&sil_rows);
        let distinct = labels
            .iter()
            .collect::<std::collections::HashSet<_>>()
            .len();
        let silhouette = if distinct < 2 {
            -1.0
        } else {
            DatasetBase::new(sil_rows.clone(), labels)
                .silhouette_score()
                .map_err(|e| Error::model("silhouette", e))?
        };
        scores.push(KScore {
            k,
            silhouette,
            inertia: model.inertia(),
            chosen: false,
        });
        if best.as_ref().is_none_or(|(s, _)| silhouette > *s) {
            best = Some((silhouette, model));
        }
    }
    let Some((best_sil, model)) = best else {
        return Ok(Clustering {
            labels: vec![None; n],
            ..Clustering::default()
        });
    };
    for s in &mut scores {
        s.chosen = s.silhouette == best_sil && s.k == model.centroids().nrows();
    }
    let labels: Array1<usize> = model.predict(&x);
    let clusters = describe(
        rfm,
        labels.as_slice().unwrap_or(&[]),
        model.centroids().nrows(),
    );
    Ok(Clustering {
        scores,
        clusters,
        labels: labels.iter().map(|&l| Some(l)).collect(),
    })
}

fn describe(rfm: &[Rfm], labels: &[usize], k: usize) -> Vec<Cluster> {
    (0..k)
        .filter_map(|c| {
            let members: Vec<&Rfm> = rfm
                .iter()
                .zip(labels)
                .filter(|(_, &l)| l == c)
                .map(|(r, _)| r)
                .collect();
            let m = members.len();
            if m == 0 {
                return None;
            }
            let mut seg: HashMap<&str, usize> = HashMap::new();
            for r in &members {
                *seg.entry(r.segment).or_default() += 1;
            }
            let (top, count) = seg
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
                .unwrap_or(("", 0));
            let mf = m as f64;
            Some(Cluster {
                cluster: c,
                customers: m,
                avg_recency_days: members
                    .iter()
                    .map(|r| f64::from(r.recency_days))
                    .sum::<f64>()
                    / mf,
                avg_frequency: members.iter().map(|r| r.frequency as f64).sum::<f64>() / mf,
                avg_monetary_usd: members.iter().map(|r| r.monetary_usd).sum::<f64>() / mf,
                top_segment: top.to_string(),
                top_segment_share: count as f64 / mf,
            })
        })
        .collect()
}
