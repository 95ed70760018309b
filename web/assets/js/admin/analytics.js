// Admin analytics: Chart.js charts of revenue, funnel, profit leakage (category, carrier),
// and the results of the latest analytics run: RFM segments with the k-means cluster sizes,
// a cohort retention heatmap, the revenue forecast with its 80/95 % bands, and CSV downloads
// of every result (honest empty states, with the API's message, until the first run).

import { api } from '../lib/api.js';
import { h, $, mount, spinner, emptyState, errorState } from '../lib/dom.js';
import { moneyCompact, int, pct, date, label } from '../lib/format.js';
import { initAdmin, handleAuthError, panel } from './common.js';

const charts = new Map();
const PALETTE = ['#4f46e5', '#16a34a', '#f59e0b', '#dc2626', '#0891b2', '#7c3aed', '#db2777', '#65a30d'];

function chart(id, config) {
  const old = charts.get(id);
  if (old) old.destroy();
  const canvas = h('canvas', { id: `${id}-canvas`, role: 'img', 'aria-label': config.label || id });
  mount($(`#${id}`), h('div', { class: `chart-box${config.tall ? ' tall' : ''}` }, canvas));
  const c = new window.Chart(canvas, { type: config.type, data: config.data, options: config.options });
  charts.set(id, c);
  return c;
}

const tickFormat = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });
function usdTick(v) {
  return tickFormat.format(v);
}

async function guarded(id, fn) {
  mount($(`#${id}`), spinner());
  try {
    await fn();
  } catch (e) {
    const old = charts.get(id);
    if (old) old.destroy();
    charts.delete(id);
    if (!handleAuthError(e)) mount($(`#${id}`), errorState(e, () => guarded(id, fn)));
  }
}

function revenue(days) {
  return guarded('chart-revenue', async () => {
    const { points } = await api.get('/api/admin/charts/revenue', { days });
    if (!points.length) {
      mount($('#chart-revenue'), emptyState('No revenue in this window', null, null, 'chart'));
      return;
    }
    chart('chart-revenue', {
      type: 'bar',
      tall: true,
      label: 'Daily net revenue and orders',
      data: {
        labels: points.map((p) => date(p.day)),
        datasets: [
          { type: 'line', label: 'Net revenue (USD)', data: points.map((p) => p.net_revenue_usd), borderColor: PALETTE[0], backgroundColor: 'rgba(79,70,229,.12)', fill: true, tension: 0.25, pointRadius: 0, yAxisID: 'y' },
          { type: 'bar', label: 'Orders', data: points.map((p) => p.orders), backgroundColor: 'rgba(245,158,11,.45)', yAxisID: 'y1' },
        ],
      },
      options: {
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: {
          y: { position: 'left', ticks: { callback: usdTick }, title: { display: true, text: 'Net revenue' } },
          y1: { position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'Orders' } },
          x: { ticks: { maxTicksLimit: 12 } },
        },
        plugins: { tooltip: { callbacks: { label: (c) => (c.dataset.yAxisID === 'y' ? `${c.dataset.label}: ${moneyCompact(c.parsed.y)}` : `${c.dataset.label}: ${int(c.parsed.y)}`) } } },
      },
    });
  });
}

function funnel(days) {
  return guarded('chart-funnel', async () => {
    const f = await api.get('/api/admin/funnel', { window_days: Math.min(365, days) });
    const stages = f.stages || [];
    chart('chart-funnel', {
      type: 'bar',
      label: 'Funnel sessions per stage',
      data: {
        labels: stages.map((s) => label(s.stage)),
        datasets: [{ label: 'Sessions', data: stages.map((s) => s.sessions), backgroundColor: stages.map((s) => (s.stage === 'PAYMENT_FAILED' ? '#dc2626' : s.stage === 'ORDER_PLACED' ? '#16a34a' : '#6366f1')) }],
      },
      options: {
        indexAxis: 'y',
        maintainAspectRatio: false,
        plugins: { legend: { display: false }, subtitle: { display: true, text: `Conversion ${pct(f.rates && f.rates.conversion_rate)} · abandonment ${pct(f.rates && f.rates.cart_abandonment_rate)} · payment failure ${pct(f.rates && f.rates.payment_failure_rate)}` } },
      },
    });
  });
}

async function leakage(days) {
  const ids = ['chart-leak-category', 'chart-leak-carrier'];
  ids.forEach((id) => mount($(`#${id}`), spinner()));
  try {
    renderLeakage(await api.get('/api/admin/charts/leakage', { days }));
  } catch (e) {
    if (handleAuthError(e)) return;
    ids.forEach((id) => {
      const old = charts.get(id);
      if (old) old.destroy();
      charts.delete(id);
      mount($(`#${id}`), errorState(e, () => leakage(days)));
    });
  }
}

function renderLeakage(data) {
  const cat = data.by_category || [];
  // the measures the API sends (the contract names failed_usd; shipping_usd and loss_usd are shown too)
  const CAT_MEASURES = [
    ['refunds_usd', 'Refunds', PALETTE[3]],
    ['discount_usd', 'Discounts', PALETTE[2]],
    ['failed_usd', 'Failed payments', PALETTE[5]],
    ['shipping_usd', 'Shipping cost', PALETTE[4]],
    ['loss_usd', 'Loss on loss-making orders', PALETTE[6]],
  ].filter(([key]) => cat.some((c) => typeof c[key] === 'number'));
  if (!cat.length) mount($('#chart-leak-category'), emptyState('No leakage in this window', null, null, 'chart'));
  else {
    chart('chart-leak-category', {
      type: 'bar',
      label: 'Profit leakage by category',
      data: {
        labels: cat.map((c) => c.category),
        datasets: CAT_MEASURES.map(([key, text, colour]) => ({ label: text, data: cat.map((c) => c[key] ?? 0), backgroundColor: colour })),
      },
      options: { maintainAspectRatio: false, scales: { y: { ticks: { callback: usdTick } } } },
    });
  }
  const car = data.by_carrier || [];
  if (!car.length) {
    mount($('#chart-leak-carrier'), emptyState('No shipments in this window', null, null, 'truck'));
    return;
  }
  chart('chart-leak-carrier', {
    type: 'bar',
    label: 'Profit leakage by carrier',
    data: {
      labels: car.map((c) => c.carrier),
      datasets: [
        { label: 'Shipping cost', data: car.map((c) => c.shipping_usd), backgroundColor: PALETTE[4], yAxisID: 'y' },
        { label: 'Refunds', data: car.map((c) => c.refunds_usd), backgroundColor: PALETTE[3], yAxisID: 'y' },
        { type: 'line', label: 'SLA breaches', data: car.map((c) => c.sla_breaches), borderColor: PALETTE[1], backgroundColor: PALETTE[1], yAxisID: 'y1' },
      ],
    },
    options: {
      maintainAspectRatio: false,
      scales: { y: { ticks: { callback: usdTick } }, y1: { position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'SLA breaches' } } },
    },
  });
}

// ------------------------------------------------------------------ analytics runs

/** The latest run seen in any answer (run_id, as_of), shown in the header line. */
let lastRun = null;

function noteRun(res) {
  if (!res || res.available === false || res.run_id === undefined || res.run_id === null) return;
  if (!lastRun || Number(res.run_id) >= Number(lastRun.run_id)) lastRun = { run_id: res.run_id, as_of: res.as_of };
}

function showRun(line, pending) {
  if (lastRun) {
    line.textContent = `Last analytics run: ${date(lastRun.as_of)} (run #${lastRun.run_id})`;
    line.dataset.runId = String(lastRun.run_id);
  } else {
    line.textContent = pending ? 'Last analytics run: …' : 'Last analytics run: none yet';
    delete line.dataset.runId;
  }
}

function unavailable(id, res, what) {
  const old = charts.get(id);
  if (old) old.destroy();
  charts.delete(id);
  mount($(`#${id}`), emptyState(`${what} not available yet`, res.message || 'These analytics have not run yet.', null, 'clock'));
}

const SEGMENT_COLOURS = {
  Champions: '#16a34a',
  'Potential Loyalist': '#4f46e5',
  'New Customers': '#0891b2',
  'At Risk Loyal': '#f59e0b',
  Lost: '#dc2626',
};

/** RFM: customers per segment (bar, revenue in the tooltip) and the k-means cluster sizes. */
function rfm() {
  return guarded('chart-rfm', async () => {
    const res = await api.get('/api/admin/charts/rfm');
    noteRun(res);
    if (res.available === false) return unavailable('chart-rfm', res, 'RFM segments');
    const segs = res.segments || [];
    if (!segs.length) return unavailable('chart-rfm', { message: 'The latest run segmented no customers.' }, 'RFM segments');
    const total = segs.reduce((s, x) => s + (x.customers || 0), 0);
    chart('chart-rfm', {
      type: 'bar',
      label: `Customers per RFM segment: ${segs.map((s) => `${s.segment} ${int(s.customers)}`).join(', ')}`,
      data: {
        labels: segs.map((s) => s.segment),
        datasets: [{ label: 'Customers', data: segs.map((s) => s.customers), backgroundColor: segs.map((s, i) => SEGMENT_COLOURS[s.segment] || PALETTE[i % PALETTE.length]), borderRadius: 4 }],
      },
      options: {
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: 'Customers' } } },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: (c) => `Customers: ${int(c.parsed.y)} (${pct(total ? c.parsed.y / total : null)})`,
              afterLabel: (c) => {
                const s = segs[c.dataIndex];
                return [`Revenue: ${moneyCompact(s.monetary_usd)}`, `Avg recency: ${Math.round(s.avg_recency_days)} days`];
              },
            },
          },
        },
      },
    });
    $('#chart-rfm').appendChild(clusterList(res.clusters || []));
  });
}

function clusterList(clusters) {
  const total = clusters.reduce((s, c) => s + (c.customers || 0), 0);
  const wrap = h('div', { class: 'mt-3', id: 'rfm-clusters' },
    h('h3', { class: 'small fw-semibold text-body-secondary mb-2', text: `k-means clusters (k = ${clusters.length}), customers per cluster` }));
  if (!clusters.length) {
    wrap.appendChild(h('p', { class: 'small text-body-secondary mb-0', text: 'No k-means clusters in the latest run.' }));
    return wrap;
  }
  wrap.appendChild(h('ul', { class: 'list-unstyled cluster-list mb-0' }, clusters.map((c) => {
    const share = total ? c.customers / total : 0;
    const bar = h('div', { class: 'cluster-bar-fill' });
    bar.style.width = `${(share * 100).toFixed(1)}%`;
    return h('li', { class: 'cluster-row' },
      h('span', { class: 'cluster-name', text: `Cluster ${c.cluster}` }),
      h('div', { class: 'cluster-bar', 'aria-hidden': 'true' }, bar),
      h('span', { class: 'cluster-count', text: `${int(c.customers)} · ${pct(share, 0)}` }));
  })));
  return wrap;
}

const monthFormat = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric' });
function month(iso) {
  const m = /^(\d{4})-(\d{2})/.exec(String(iso || ''));
  return m ? monthFormat.format(new Date(Number(m[1]), Number(m[2]) - 1, 1)) : String(iso || '—');
}

/** Cohorts: a retention heatmap (rows = cohort month, columns = months since the first order). */
function cohorts() {
  return guarded('chart-cohorts', async () => {
    const res = await api.get('/api/admin/charts/cohorts');
    noteRun(res);
    if (res.available === false) return unavailable('chart-cohorts', res, 'Cohort retention');
    const rows = res.cohorts || [];
    if (!rows.length) return unavailable('chart-cohorts', { message: 'The latest run found no cohorts.' }, 'Cohort retention');
    const width = Math.max(1, ...rows.map((r) => (r.retention || []).length));
    const cell = (v, r, i) => {
      if (v === null || v === undefined) return h('td', { class: 'heatmap-na' }, h('span', { class: 'visually-hidden', text: 'not observed yet' }));
      const share = Math.max(0, Math.min(1, Number(v)));
      const alpha = 0.04 + share * 0.96;
      const td = h('td', { text: pct(share, share > 0 && share < 0.095 ? 1 : 0), title: `${month(r.cohort_month)} cohort, month ${i}: ${pct(share, 1)} active` });
      td.style.backgroundColor = `rgba(79, 70, 229, ${alpha.toFixed(3)})`;
      if (alpha > 0.85) td.classList.add('heatmap-dark');
      return td;
    };
    mount($('#chart-cohorts'),
      // position-relative: the visually hidden caption and cell notes stay inside the scroller
      h('div', { class: 'table-responsive position-relative' },
        h('table', { class: 'table table-sm heatmap mb-2', id: 'cohort-table' },
          h('caption', { class: 'visually-hidden', text: 'Cohort retention: share of each monthly cohort of first-time customers that ordered again N months after its first month' }),
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col', text: 'Cohort' }),
            h('th', { scope: 'col', class: 'text-end', text: 'Customers' }),
            Array.from({ length: width }, (_, i) => h('th', { scope: 'col', class: 'text-center', title: `${i} month${i === 1 ? '' : 's'} after the first order`, text: `M${i}` })))),
          h('tbody', {}, rows.map((r) => h('tr', {},
            h('th', { scope: 'row', class: 'text-nowrap', text: month(r.cohort_month) }),
            h('td', { class: 'text-end', text: int(r.cohort_size) }),
            Array.from({ length: width }, (_, i) => cell((r.retention || [])[i], r, i))))))),
      h('p', { class: 'small text-body-secondary mb-0' },
        'M0 is the month of the first order (100 %); Mn the share of the cohort with an order n months later. Darker = higher retention; blank = not reached yet.'));
  });
}

const MODEL_NAMES = {
  seasonal_naive: 'seasonal naive (weekly)',
  linear_trend: 'linear trend',
  auto_ets_weekly: 'AutoETS (weekly)',
  mstl_auto_ets: 'MSTL + AutoETS',
  mstl_ets: 'MSTL + ETS',
};
const HISTORY_DAYS = 90;

/** Revenue forecast: the last 90 days of actuals, the 30-day point forecast, 80 % and 95 % bands. */
function forecast() {
  return guarded('chart-forecast', async () => {
    let res;
    try {
      res = await api.get('/api/admin/charts/forecast', { series: 'revenue' });
    } catch (e) {
      if (e.status === 404) return unavailable('chart-forecast', { message: e.message }, 'Revenue forecast');
      throw e;
    }
    noteRun(res);
    if (res.available === false) return unavailable('chart-forecast', res, 'Revenue forecast');
    const all = res.points || [];
    const hist = all.filter((p) => p.actual !== null && p.actual !== undefined);
    const ahead = all.filter((p) => (p.actual === null || p.actual === undefined) && p.point !== null && p.point !== undefined);
    if (!hist.length && !ahead.length) return unavailable('chart-forecast', { message: 'The latest run has no revenue forecast.' }, 'Revenue forecast');
    const pts = [...hist.slice(-HISTORY_DAYS), ...ahead];
    const firstAhead = pts.length - ahead.length;
    const val = (k) => pts.map((p) => (p[k] === null || p[k] === undefined ? null : p[k]));
    // the point forecast starts at the last actual so the two lines join
    const point = val('point').map((v, i) => (i < firstAhead ? null : v));
    if (firstAhead > 0 && ahead.length) point[firstAhead - 1] = pts[firstAhead - 1].actual;
    const modelName = MODEL_NAMES[res.model] || res.model || 'unknown model';
    const bt = res.backtest;
    const title = `Model: ${modelName} · backtest MASE ${bt && typeof bt.mase === 'number' ? bt.mase.toFixed(2) : '—'}`;
    const subtitle = bt
      ? `MAPE ${pct(bt.mape)} · sMAPE ${pct(bt.smape)} · MASE < 1 beats the weekly naive forecast`
      : 'No backtest: the series is too short, so this is a baseline forecast';
    const band = (k, text, colour, fill) => ({ label: text, data: val(k), borderWidth: 0, pointRadius: 0, backgroundColor: colour, fill, tension: 0.2, bound: k });
    chart('chart-forecast', {
      type: 'line',
      tall: true,
      label: `Daily net revenue: last ${hist.slice(-HISTORY_DAYS).length} days of actuals and a ${ahead.length}-day forecast. ${title}`,
      data: {
        labels: pts.map((p) => date(p.dt)),
        datasets: [
          band('lower_95', 'lower_95', 'rgba(245,158,11,.16)', false),
          band('upper_95', '95 % interval', 'rgba(245,158,11,.16)', '-1'),
          band('lower_80', 'lower_80', 'rgba(245,158,11,.32)', false),
          band('upper_80', '80 % interval', 'rgba(245,158,11,.32)', '-1'),
          { label: 'Forecast', data: point, borderColor: '#d97706', backgroundColor: '#d97706', borderDash: [6, 4], borderWidth: 2, pointRadius: 0, fill: false, tension: 0.2 },
          { label: 'Actual', data: val('actual'), borderColor: PALETTE[0], backgroundColor: PALETTE[0], borderWidth: 2, pointRadius: 0, fill: false, tension: 0.2 },
        ],
      },
      options: {
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: { y: { ticks: { callback: usdTick }, title: { display: true, text: 'Net revenue (USD)' } }, x: { ticks: { maxTicksLimit: 10 } } },
        plugins: {
          title: { display: true, text: title, font: { size: 14, weight: '600' } },
          subtitle: { display: true, text: subtitle, padding: { bottom: 8 } },
          legend: { labels: { filter: (item) => !String(item.text).startsWith('lower_') } },
          tooltip: {
            itemSort: (a, b) => b.datasetIndex - a.datasetIndex,
            filter: (c) => c.parsed.y !== null && !String(c.dataset.label).startsWith('lower_') && !(c.dataset.label === 'Forecast' && c.dataIndex < firstAhead),
            callbacks: {
              label: (c) => {
                const p = pts[c.dataIndex];
                if (c.dataset.bound === 'upper_95') return `95 %: ${usdTick(p.lower_95)} – ${usdTick(p.upper_95)}`;
                if (c.dataset.bound === 'upper_80') return `80 %: ${usdTick(p.lower_80)} – ${usdTick(p.upper_80)}`;
                return `${c.dataset.label}: ${usdTick(c.parsed.y)}`;
              },
            },
          },
        },
      },
    });
  });
}

const DATASETS = [
  ['runs', 'Analytics runs', 'one row per run, with its summary'],
  ['segments', 'Customer RFM segments', 'per customer: R, F, M, segment, k-means cluster'],
  ['rfm_kmeans', 'k-means fits', 'silhouette and inertia for every k tried'],
  ['rfm_clusters', 'k-means clusters', 'size, mean R/F/M, main segment'],
  ['churn_scores', 'Churn scores', 'per customer churn probability'],
  ['churn_model', 'Churn model', 'coefficients and AUC'],
  ['churn_calibration', 'Churn calibration', 'predicted vs observed by bin'],
  ['cohorts', 'Cohort retention', 'one row per cohort and month offset'],
  ['cohort_matrix', 'Cohort matrix', 'one row per cohort, retention by offset'],
  ['leakage', 'Profit leakage', 'amount by driver and dimension'],
  ['outliers', 'Outliers', 'flagged days and categories'],
  ['forecast', 'Forecasts', 'every series: actuals, point forecast, 80/95 % bounds'],
  ['backtest', 'Forecast backtest', 'MAPE, sMAPE, MASE, coverage per model'],
];

// The Excel management report (GET /api/admin/report.xlsx): empty dates = unbounded.
function excelReport() {
  return h('form', { class: 'd-flex flex-wrap gap-2 align-items-end mb-3', id: 'excel-report', method: 'get', action: '/api/admin/report.xlsx' },
    h('label', { class: 'small', text: 'From ' }, h('input', { class: 'form-control form-control-sm', type: 'date', name: 'from', id: 'report-from' })),
    h('label', { class: 'small', text: 'To ' }, h('input', { class: 'form-control form-control-sm', type: 'date', name: 'to', id: 'report-to' })),
    h('button', { type: 'submit', class: 'btn btn-sm btn-outline-primary', text: 'Download Excel report' }));
}

function downloads() {
  return h('div', {},
    excelReport(),
    h('p', { class: 'small text-body-secondary', text: 'CSV exports of the latest analytics run (a header row only until the first run).' }),
    h('ul', { class: 'list-unstyled downloads mb-0', id: 'downloads' }, DATASETS.map(([name, title, what]) => h('li', { class: 'download-row' },
      h('a', { href: `/api/admin/analytics/${name}.csv`, download: `${name}.csv`, class: 'fw-semibold', text: title, 'aria-label': `Download ${title} as CSV (${name}.csv)` }),
      h('span', { class: 'd-block small text-body-secondary', text: `${name}.csv · ${what}` })))));
}

// charts draw without animation for visitors who ask for reduced motion
if (window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches && window.Chart) window.Chart.defaults.animation = false;

function render(main) {
  const days = h('select', { class: 'form-select form-select-sm w-auto', id: 'a-days', 'aria-label': 'Window' }, [30, 90, 180, 365].map((d) => h('option', { value: String(d), text: `Last ${d} days` })));
  days.value = '90';
  const refresh = h('button', { type: 'button', class: 'btn btn-sm btn-primary', id: 'a-refresh', text: 'Refresh' });
  const updated = h('span', { class: 'badge text-bg-light border', id: 'a-updated', text: 'Loading…' });
  const runLine = h('p', { class: 'small text-body-secondary mb-0', id: 'a-run', 'aria-live': 'polite' });
  const load = async () => {
    const d = Number(days.value);
    updated.textContent = 'Loading…';
    lastRun = null;
    showRun(runLine, true);
    await Promise.all([revenue(d), funnel(d), leakage(d), rfm(), cohorts(), forecast()]);
    showRun(runLine, false);
    updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
  };
  days.addEventListener('change', load);
  refresh.addEventListener('click', load);
  mount(main,
    h('div', { class: 'd-flex flex-wrap justify-content-between align-items-center gap-2 mb-3' },
      h('div', {},
        h('h1', { class: 'admin-title fw-bold mb-0', text: 'Analytics' }),
        runLine),
      h('div', { class: 'd-flex gap-2 align-items-center' }, updated, days, refresh)),
    h('div', { class: 'row g-4' },
      h('div', { class: 'col-12' }, panel('Daily net revenue and orders (USD)', null, h('div', { id: 'chart-revenue' }))),
      h('div', { class: 'col-lg-6' }, panel('Funnel conversion', null, h('div', { id: 'chart-funnel' }), { cls: 'h-100' })),
      h('div', { class: 'col-lg-6' }, panel('Profit leakage by category (USD)', null, h('div', { id: 'chart-leak-category' }), { cls: 'h-100' })),
      h('div', { class: 'col-lg-6' }, panel('Profit leakage by carrier (USD)', null, h('div', { id: 'chart-leak-carrier' }), { cls: 'h-100' })),
      h('div', { class: 'col-lg-6' }, panel('RFM customer segments', null, h('div', { id: 'chart-rfm' }), { cls: 'h-100' })),
      h('div', { class: 'col-12' }, panel('Revenue forecast (next 30 days, USD)', null, h('div', { id: 'chart-forecast' }))),
      h('div', { class: 'col-12' }, panel('Cohort retention (monthly cohorts)', null, h('div', { id: 'chart-cohorts' }))),
      h('div', { class: 'col-12' }, panel('Downloads', null, downloads(), { id: 'card-downloads' }))));
  load();
  return () => {
    for (const c of charts.values()) c.destroy();
    charts.clear();
  };
}

initAdmin('analytics', render);
