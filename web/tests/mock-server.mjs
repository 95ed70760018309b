// A development server for the pages: serves web/ the way the axum app does (same paths,
// same CSP) and answers the API of docs/shop-api.md from memory, so the pages and the
// e2e test can be worked on without Postgres or Kafka. Not used in production.
//
//   node web/tests/mock-server.mjs [port]      (default 8099; ADMIN_PASSWORD default "admin-dev")
//   MOCK_ANALYTICS=none                        the analytics endpoints answer as before the first run

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PORT = Number(process.argv[2] || process.env.PORT || 8099);
const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD || 'admin-dev';
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.map': 'application/json' };

// ------------------------------------------------------------------ data

const CATS = { Electronics: ['Phones', 'Laptops', 'Audio'], Fashion: ['Shoes', 'Jackets'], Home: ['Kitchen', 'Decor'], Sports: ['Fitness', 'Outdoor'] };
const BRANDS = ['Acme', 'Zenith', 'Nova', 'Orbit', 'Lumen'];
const NOUNS = { Phones: 'Smartphone', Laptops: 'Laptop', Audio: 'Headphones', Shoes: 'Sneakers', Jackets: 'Jacket', Kitchen: 'Blender', Decor: 'Lamp', Fitness: 'Yoga Mat', Outdoor: 'Tent' };
const products = [];
let pid = 1;
for (const [l1, l2s] of Object.entries(CATS)) {
  for (const l2 of l2s) {
    for (let i = 0; i < 6; i++) {
      const brand = BRANDS[(pid + i) % BRANDS.length];
      const list = Math.round((500 + ((pid * 7919) % 20000)) * 100) / 100;
      const disc = [0, 5, 10, 20, 35][pid % 5];
      products.push({
        product_id: pid, sku: `SKU-${1000 + pid}`, name: `${brand} ${['Pro', 'Lite', 'Max', 'Air', 'Classic', 'Eco'][i]} ${NOUNS[l2]}`, brand,
        category_l1: l1, category_l2: l2, currency: 'INR', list_price: list, sell_price: Math.round(list * (100 - disc)) / 100, discount_pct: disc,
        rating_avg: pid % 4 ? 3 + (pid % 20) / 10 : null, rating_count: pid % 4 ? pid % 30 : 0, available: pid % 11 ? 5 + (pid % 40) : 0,
        image_url: `/api/shop/products/${pid}/image.svg`, created: pid,
      });
      pid++;
    }
  }
}
const byId = new Map(products.map((p) => [p.product_id, p]));
const visitors = new Map(); // visitor id → {csrf, cart: Map, customer}
const customers = new Map(); // email → customer
const outbox = []; // {email, ...Email}
const otps = new Map(); // email → {code, purpose, display_name, password, attempts}
let adminSessions = new Map(); // id → csrf
const orders = [];
const events = [];
let nextId = { customer: 5000, order: 900000, address: 1, email: 1 };
let kpiVersion = 0;
const kpiBase = { orders: 1200, gmv: 250000 };

function kpis() {
  const placed = orders.filter((o) => o.status !== 'CANCELLED').length;
  const win = (mult) => {
    const n = Math.round(kpiBase.orders * mult) + placed;
    const rev = kpiBase.gmv * mult + orders.reduce((s, o) => s + (o.status === 'CANCELLED' ? 0 : o.total / 83), 0);
    return { from: new Date(Date.now() - mult * 86400000).toISOString(), overall: {
      gmv_usd: rev * 1.1, net_revenue_usd: rev, orders: n, units: n * 2, aov_usd: n ? rev / n : null, conversion_rate: 0.031, cart_abandonment_rate: 0.68,
      payment_failure_rate: 0.042, refund_amount_usd: rev * 0.03, sla_breach_rate: 0.08, shipments: Math.round(n * 0.9), sessions: n * 30, cogs_usd: rev * 0.6,
      shipping_cost_usd: rev * 0.05, gateway_fee_usd: rev * 0.02, gross_profit_usd: rev * 0.4, net_profit_usd: rev * 0.27, gross_margin: 0.4, net_margin: 0.27,
      loss_orders: Math.round(n * 0.05), failed_payment_orders: Math.round(n * 0.04), revenue_lost_payment_failures_usd: rev * 0.04, revenue_lost_cart_abandonment_usd: rev * 1.7 }, by: {} };
  };
  return { version: kpiVersion, generated_at: new Date().toISOString(), currency: 'USD', windows: { today: win(0.5), last_5m: win(0.002), last_1h: win(0.04), last_24h: win(1) } };
}

// ------------------------------------------------------------------ analytics results

// The results of one `globalcart analytics run` (docs/analytics.md), for the admin charts and
// the CSV downloads. MOCK_ANALYTICS=none answers like a fresh app where no run exists yet.
const ANALYTICS_RAN = process.env.MOCK_ANALYTICS !== 'none';
const NOT_YET = { available: false, message: 'No analytics run yet: these charts fill after `globalcart analytics run` (globalcart up runs it on a schedule).' };

function rng(seed) { // mulberry32: the same sample data on every start
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function buildAnalytics() {
  const rnd = rng(42);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const r2 = (x) => Math.round(x * 100) / 100;
  const r4 = (x) => Math.round(x * 10000) / 10000;
  const day = (d) => d.toISOString().slice(0, 10);
  const asOf = new Date(`${day(new Date())}T00:00:00Z`);
  const run_id = 7;
  const as_of = day(asOf);

  const segments = [
    ['Potential Loyalist', 1130, 221000.4, 47.8], ['Lost', 874, 41210.9, 203.1], ['New Customers', 506, 38120.5, 11.6],
    ['Champions', 412, 184330.2, 8.9], ['At Risk Loyal', 298, 96040.7, 141.4],
  ].map(([segment, customers, monetary_usd, avg_recency_days]) => ({ segment, customers, monetary_usd, avg_recency_days }));
  const clusters = [1220, 860, 690, 450].map((customers, cluster) => ({ cluster, customers }));

  // 12 monthly cohorts up to the month before the as-of day
  const last = new Date(asOf.getTime() - 86400000);
  const cohortRows = [];
  for (let i = 11; i >= 0; i--) {
    const m = new Date(Date.UTC(last.getUTCFullYear(), last.getUTCMonth() - i, 1));
    const size = 180 + Math.round(rnd() * 240);
    const retention = Array.from({ length: i + 1 }, (_, k) => (k === 0 ? 1 : r4(Math.max(0, 0.34 * Math.exp(-0.13 * (k - 1)) + 0.025 * gauss()))));
    cohortRows.push({ cohort_month: day(m), cohort_size: size, retention });
  }

  // daily revenue: 180 days of actuals, then a 30-day forecast with widening intervals
  const series = (name, base, weekly, trend, noise, model) => {
    const pts = [];
    const level = (t) => base + trend * t + weekly * Math.sin((2 * Math.PI * t) / 7) + 0.4 * weekly * Math.cos((2 * Math.PI * t) / 30.5);
    for (let t = 0; t < 180; t++) {
      pts.push({ dt: day(new Date(asOf.getTime() - (180 - t) * 86400000)), actual: r2(Math.max(0, level(t) + noise * gauss())), point: null, lower_80: null, upper_80: null, lower_95: null, upper_95: null });
    }
    for (let hh = 1; hh <= 30; hh++) {
      const t = 179 + hh;
      const point = level(t);
      const sd = noise * Math.sqrt(1 + hh / 7);
      pts.push({ dt: day(new Date(asOf.getTime() + (hh - 1) * 86400000)), actual: null, point: r2(point), lower_80: r2(Math.max(0, point - 1.2816 * sd)), upper_80: r2(point + 1.2816 * sd), lower_95: r2(Math.max(0, point - 1.96 * sd)), upper_95: r2(point + 1.96 * sd) });
    }
    return { series: name, model, points: pts };
  };
  const forecasts = new Map([
    ['revenue', series('revenue', 8200, 1600, 9, 650, 'mstl_auto_ets')],
    ['units:ELECTRONICS', series('units:ELECTRONICS', 140, 25, 0.1, 14, 'auto_ets_weekly')],
    ['units:FASHION', series('units:FASHION', 95, 20, 0.05, 11, 'seasonal_naive')],
  ]);
  const backtest = [...forecasts.keys()].flatMap((name, si) => ['seasonal_naive', 'linear_trend', 'auto_ets_weekly', 'mstl_auto_ets'].map((model, mi) => {
    const mase = r4([1.0, 1.31, 0.82, 0.74][mi] + si * 0.05);
    return { run_id, series: name, model, folds: 3, horizon: 30, mape: r4(0.06 + mase * 0.03), smape: r4(0.055 + mase * 0.03), mase, coverage_80: r4(0.74 + mi * 0.02), coverage_95: r4(0.9 + mi * 0.012), chosen: model === forecasts.get(name).model };
  }));
  const chosen = (name) => backtest.find((b) => b.series === name && b.chosen);

  const customerRows = Array.from({ length: 40 }, (_, i) => {
    const seg = segments[i % segments.length].segment;
    return { run_id, customer_id: 5000 + i, recency_days: Math.round(rnd() * 300), frequency: 1 + Math.round(rnd() * 9), monetary_usd: r2(40 + rnd() * 2400), r: 1 + (i % 5), f: 1 + ((i * 3) % 5), m: 1 + ((i * 7) % 5), rfm_score: 111 + (i % 5) * 100 + ((i * 3) % 5) * 10 + ((i * 7) % 5), segment: seg, kmeans_cluster: i % clusters.length };
  });
  const datasets = {
    runs: [{ run_id, as_of, started_at: new Date(Date.now() - 3600000).toISOString(), finished_at: new Date(Date.now() - 3540000).toISOString(), summary: { customers: 3220, k: clusters.length, churn_auc: 0.78, forecast_models: { revenue: 'mstl_auto_ets' } } }],
    segments: customerRows,
    rfm_kmeans: [2, 3, 4, 5, 6, 7, 8].map((k) => ({ run_id, k, silhouette: r4([0.38, 0.41, 0.47, 0.42, 0.39, 0.35, 0.33][k - 2]), inertia: r2(9000 / k + 400), chosen: k === clusters.length })),
    rfm_clusters: clusters.map((c, i) => ({ run_id, cluster: c.cluster, customers: c.customers, mean_recency_days: r2(20 + i * 55), mean_frequency: r2(6 - i * 1.3), mean_monetary_usd: r2(1600 - i * 350), main_segment: ['Champions', 'Potential Loyalist', 'At Risk Loyal', 'Lost'][i] })),
    churn_scores: customerRows.map((c) => ({ run_id, customer_id: c.customer_id, churn_probability: r4(Math.min(0.99, c.recency_days / 320 + 0.05 * rnd())), churned_label: c.recency_days > 180 })),
    churn_model: ['intercept', 'recency_days', 'frequency', 'monetary_usd', 'payment_failures', 'auc'].map((term, i) => ({ run_id, term, value: r4([-1.2, 0.84, -0.51, -0.22, 0.31, 0.78][i]) })),
    churn_calibration: Array.from({ length: 10 }, (_, b) => ({ run_id, bin: b, predicted: r4((b + 0.5) / 10), observed: r4(Math.min(1, Math.max(0, (b + 0.5) / 10 + 0.04 * gauss()))), customers: 200 + Math.round(rnd() * 150) })),
    cohorts: cohortRows.flatMap((c) => c.retention.map((rate, k) => ({ run_id, cohort_month: c.cohort_month, month_offset: k, cohort_size: c.cohort_size, active_customers: Math.round(rate * c.cohort_size), retention_rate: rate }))),
    cohort_matrix: cohortRows.map((c) => ({ run_id, ...c })),
    leakage: [['refunds', 'Electronics', 18400], ['refunds', 'Fashion', 9100], ['discounts', 'Fashion', 22300], ['discounts', 'Home', 8700], ['failed_payments', 'UPI', 6100], ['shipping', 'DHL', 12800]].map(([driver, dimension, amount_usd]) => ({ run_id, driver, dimension, amount_usd })),
    outliers: [{ run_id, rule: 'iqr_order_value', entity: 'order 901233', dt: day(new Date(asOf.getTime() - 12 * 86400000)), value: 18211.5, note: 'above Q3 + 3·IQR' }, { run_id, rule: 'mad_category_day', entity: 'Electronics', dt: day(new Date(asOf.getTime() - 40 * 86400000)), value: 412, note: 'robust z 5.1' }],
    forecast: [...forecasts.values()].flatMap((f) => f.points.map((pt) => ({ run_id, series: f.series, model: f.model, ...pt }))),
    backtest,
  };
  return { run_id, as_of, segments, clusters, cohortRows, forecasts, chosen, datasets };
}
const analytics = buildAnalytics();

function csv(rows) {
  if (!rows.length) return '';
  const cols = Object.keys(rows[0]);
  const cell = (v) => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n')}\n`;
}

function analyticsApi(p, q, res) {
  const a = analytics;
  const head = { available: true, run_id: a.run_id, as_of: a.as_of };
  if (p === '/api/admin/charts/rfm') return ANALYTICS_RAN ? { ...head, segments: a.segments, clusters: a.clusters } : NOT_YET;
  if (p === '/api/admin/charts/cohorts') return ANALYTICS_RAN ? { ...head, cohorts: a.cohortRows } : NOT_YET;
  if (p === '/api/admin/charts/forecast') {
    if (!ANALYTICS_RAN) return NOT_YET;
    const name = q.get('series') || 'revenue';
    const f = a.forecasts.get(name);
    if (!f) throw new Fail(404, `series ${name}: not forecast in the latest run`);
    const b = a.chosen(name);
    return { ...head, series: name, model: f.model, backtest: b ? { mape: b.mape, smape: b.smape, mase: b.mase } : null, points: f.points };
  }
  const mm = p.match(/^\/api\/admin\/analytics\/([^/]+)$/);
  if (!mm) return undefined;
  const raw = decodeURIComponent(mm[1]);
  const name = raw.replace(/\.csv$/, '');
  if (!(name in a.datasets)) throw new Fail(404, `dataset: one of ${Object.keys(a.datasets).join(', ')}`);
  const rows = ANALYTICS_RAN ? a.datasets[name] : [];
  if (raw.endsWith('.csv')) {
    // before a run: the header only (the real app's COPY … with (header) of an empty table)
    const body = ANALYTICS_RAN ? csv(rows) : csv([a.datasets[name][0]]).split('\n')[0] + '\n';
    res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${name}.csv"`, 'Cache-Control': 'no-store' });
    res.end(body);
    return null;
  }
  return { dataset: name, items: rows };
}

// ------------------------------------------------------------------ helpers

class Fail extends Error {
  constructor(status, message, details) { super(message); this.status = status; this.details = details; }
}

function cookies(req) {
  const out = {};
  for (const part of (req.headers.cookie || '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

function visitor(req, res) {
  let id = cookies(req).gc_visitor;
  if (!id || !visitors.has(id)) {
    id = crypto.randomUUID();
    visitors.set(id, { csrf: crypto.randomUUID(), cart: new Map(), customer: null, wishlist: new Set() });
    res.setHeader('Set-Cookie', `gc_visitor=${id}; Path=/; HttpOnly; SameSite=Lax`);
  }
  return visitors.get(id);
}

function need(v) {
  if (!v.customer) throw new Fail(401, 'Sign in first.');
  return v.customer;
}

function pub(p) {
  const { created, ...rest } = p;
  return rest;
}

function cartOf(v) {
  const items = [...v.cart.entries()].map(([id, qty]) => {
    const p = byId.get(id);
    const sub = Math.round(p.sell_price * qty * 100) / 100;
    const tax = Math.round(sub * 0.07 * 100) / 100;
    return { product: pub(p), qty, line_subtotal: sub, line_tax: tax, line_total: Math.round((sub + tax) * 100) / 100 };
  });
  const subtotal = Math.round(items.reduce((s, i) => s + i.line_subtotal, 0) * 100) / 100;
  const tax = Math.round(items.reduce((s, i) => s + i.line_tax, 0) * 100) / 100;
  return { items, subtotal, tax, total: Math.round((subtotal + tax) * 100) / 100, currency: 'INR', count: items.reduce((s, i) => s + i.qty, 0) };
}

function detail(o) {
  return o;
}

function email(to, kind, subject, body) {
  const m = { email_id: nextId.email++, kind, subject, body, status: 'SENT', created_at: new Date().toISOString() };
  outbox.unshift({ to, ...m });
  return m;
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

// ------------------------------------------------------------------ routes

async function api(req, res, url, body) {
  const v = visitor(req, res);
  const m = req.method;
  const p = url.pathname;
  const q = url.searchParams;
  const mutating = m !== 'GET';
  if (mutating && p.startsWith('/api/shop/') && req.headers['x-csrf-token'] !== v.csrf) throw new Fail(403, 'Missing or wrong CSRF token.');
  let r;
  if (m === 'GET' && p === '/api/shop/session') {
    return { customer: v.customer && { customer_id: v.customer.customer_id, email: v.customer.email, display_name: v.customer.display_name }, csrf_token: v.csrf, demo_mode: true, cart_count: cartOf(v).count, wishlist_count: v.customer ? v.customer.wishlist.size : 0 };
  }
  if (m === 'POST' && p === '/api/shop/auth/otp') {
    if (!body.email || !/@/.test(body.email)) throw new Fail(422, 'email: not a valid address');
    if (body.purpose === 'signup') {
      if (customers.has(body.email)) throw new Fail(409, 'An account with this email already exists: log in instead.');
      if (!body.display_name || !body.password) throw new Fail(422, 'display_name and password are required to sign up');
    } else if (!customers.has(body.email)) {
      return [202, { sent: true, expires_in_secs: 600 }];
    }
    const code = String(crypto.randomInt(100000, 999999));
    otps.set(body.email, { code, ...body, attempts: 0 });
    email(body.email, 'OTP', 'Your GlobalCart code', `Your one-time code is ${code}. It expires in 10 minutes.`);
    return [202, { sent: true, expires_in_secs: 600 }];
  }
  if (m === 'POST' && p === '/api/shop/auth/verify') {
    const o = otps.get(body.email);
    if (!o) throw new Fail(410, 'The code has expired.');
    if (o.code !== body.otp) {
      o.attempts++;
      if (o.attempts >= 5) { otps.delete(body.email); throw new Fail(429, 'Too many wrong codes.'); }
      throw new Fail(401, 'Wrong code.', { attempts_left: 5 - o.attempts });
    }
    otps.delete(body.email);
    let c = customers.get(body.email);
    if (!c) {
      c = { customer_id: nextId.customer++, email: body.email, display_name: o.display_name, password: o.password, wishlist: new Set(), addresses: [] };
      customers.set(body.email, c);
    }
    v.customer = c;
    v.csrf = crypto.randomUUID();
    return { customer: { customer_id: c.customer_id, email: c.email, display_name: c.display_name }, csrf_token: v.csrf };
  }
  if (m === 'POST' && p === '/api/shop/auth/login') {
    const c = customers.get(body.email);
    if (!c || c.password !== body.password) throw new Fail(401, 'Wrong email or password.');
    v.customer = c;
    v.csrf = crypto.randomUUID();
    return { customer: { customer_id: c.customer_id, email: c.email, display_name: c.display_name }, csrf_token: v.csrf };
  }
  if (m === 'POST' && p === '/api/shop/auth/logout') { v.customer = null; v.csrf = crypto.randomUUID(); return [204]; }
  if (m === 'GET' && p === '/api/shop/demo/inbox') return { items: outbox.filter((e) => e.to === q.get('email')).map(({ to, ...e }) => e) };
  if (m === 'GET' && p === '/api/shop/facets') {
    return { categories: Object.entries(CATS).map(([category_l1, subcategories]) => ({ category_l1, subcategories })), brands: BRANDS, price_min: Math.min(...products.map((x) => x.sell_price)), price_max: Math.max(...products.map((x) => x.sell_price)) };
  }
  if (m === 'GET' && p === '/api/shop/products') {
    let items = products.filter((x) => (!q.get('q') || `${x.name} ${x.brand}`.toLowerCase().includes(q.get('q').toLowerCase()))
      && (!q.get('category_l1') || x.category_l1 === q.get('category_l1')) && (!q.get('category_l2') || x.category_l2 === q.get('category_l2'))
      && (!q.get('brand') || x.brand === q.get('brand')) && (!q.get('min_price') || x.sell_price >= Number(q.get('min_price')))
      && (!q.get('max_price') || x.sell_price <= Number(q.get('max_price'))) && (!q.get('min_rating') || (x.rating_avg || 0) >= Number(q.get('min_rating'))));
    const sorts = { price_asc: (a, b) => a.sell_price - b.sell_price, price_desc: (a, b) => b.sell_price - a.sell_price, rating: (a, b) => (b.rating_avg || 0) - (a.rating_avg || 0), newest: (a, b) => b.created - a.created, best_sellers: (a, b) => b.rating_count - a.rating_count };
    if (sorts[q.get('sort')]) items = [...items].sort(sorts[q.get('sort')]);
    const page = Number(q.get('page') || 1);
    const per = Number(q.get('per_page') || 24);
    return { items: items.slice((page - 1) * per, page * per).map(pub), total: items.length, page, per_page: per };
  }
  let mm;
  if ((mm = p.match(/^\/api\/shop\/products\/(\d+)\/image\.svg$/))) {
    const x = byId.get(Number(mm[1]));
    const hue = (Number(mm[1]) * 47) % 360;
    res.writeHead(200, { 'Content-Type': 'image/svg+xml' });
    res.end(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 240"><rect width="320" height="240" fill="hsl(${hue},60%,88%)"/><circle cx="160" cy="105" r="55" fill="hsl(${hue},55%,60%)"/><text x="160" y="205" font-family="sans-serif" font-size="18" text-anchor="middle" fill="#333">${x ? x.category_l2 : '?'}</text></svg>`);
    return null;
  }
  if ((mm = p.match(/^\/api\/shop\/products\/(\d+)$/)) && m === 'GET') {
    const x = byId.get(Number(mm[1]));
    if (!x) throw new Fail(404, 'No such product.');
    return { ...pub(x), description: `The ${x.name} from ${x.brand}: a dependable pick in ${x.category_l2}.\nTwo-year warranty.`, related: products.filter((y) => y.category_l2 === x.category_l2 && y !== x).slice(0, 8).map(pub) };
  }
  if ((mm = p.match(/^\/api\/shop\/products\/(\d+)\/reviews$/)) && m === 'GET') {
    const x = byId.get(Number(mm[1]));
    return { items: x.rating_count ? [{ rating: 5, title: 'Great <b>value</b>', body: 'Works as advertised.\n<script>alert(1)</script>', author: 'Asha K.', created_at: new Date(Date.now() - 86400000 * 3).toISOString() }] : [], rating_avg: x.rating_avg, rating_count: x.rating_count };
  }
  if ((mm = p.match(/^\/api\/shop\/products\/(\d+)\/reviews\/eligibility$/))) return { eligible: false, reason: v.customer ? 'NOT_PURCHASED' : 'NOT_SIGNED_IN' };
  if (p === '/api/shop/cart' && m === 'GET') return cartOf(v);
  if (p === '/api/shop/cart' && m === 'DELETE') { v.cart.clear(); return cartOf(v); }
  if (p === '/api/shop/cart/items' && m === 'POST') {
    if (!byId.has(body.product_id)) throw new Fail(404, 'No such product.');
    v.cart.set(body.product_id, Math.min(20, (v.cart.get(body.product_id) || 0) + (body.qty || 1)));
    events.push({ at: new Date().toISOString(), stage: 'ADD_TO_CART', product_id: body.product_id });
    return cartOf(v);
  }
  if ((mm = p.match(/^\/api\/shop\/cart\/items\/(\d+)$/))) {
    if (m === 'PUT') v.cart.set(Number(mm[1]), Math.max(1, Math.min(20, body.qty)));
    else v.cart.delete(Number(mm[1]));
    return cartOf(v);
  }
  if (p === '/api/shop/wishlist' && m === 'GET') return { items: [...need(v).wishlist].map((id) => pub(byId.get(id))) };
  if ((mm = p.match(/^\/api\/shop\/wishlist\/(\d+)$/))) {
    const c = need(v);
    if (m === 'PUT') c.wishlist.add(Number(mm[1])); else c.wishlist.delete(Number(mm[1]));
    return { items: [...c.wishlist].map((id) => pub(byId.get(id))) };
  }
  if (p === '/api/shop/addresses' && m === 'GET') return { items: need(v).addresses };
  if (p === '/api/shop/addresses' && m === 'POST') {
    const c = need(v);
    const a = { ...body, address_id: nextId.address++ };
    if (a.is_default) c.addresses.forEach((x) => { x.is_default = false; });
    c.addresses.push(a);
    return [201, a];
  }
  if ((mm = p.match(/^\/api\/shop\/addresses\/(\d+)$/))) {
    const c = need(v);
    const i = c.addresses.findIndex((a) => a.address_id === Number(mm[1]));
    if (i < 0) throw new Fail(404, 'No such address.');
    if (m === 'DELETE') { c.addresses.splice(i, 1); return [204]; }
    if (body.is_default) c.addresses.forEach((x) => { x.is_default = false; });
    c.addresses[i] = { ...body, address_id: Number(mm[1]) };
    return c.addresses[i];
  }
  if ((mm = p.match(/^\/api\/shop\/promos\/([^/]+)$/))) {
    const code = decodeURIComponent(mm[1]).toUpperCase();
    const sub = Number(q.get('subtotal') || 0);
    if (code === 'WELCOME10') return { code, valid: true, discount: Math.round(sub * 0.1 * 100) / 100, message: 'WELCOME10: 10% off your order.' };
    if (code === 'FLAT100') return { code, valid: true, discount: 100, message: 'FLAT100: ₹100 off.' };
    return { code, valid: false, discount: 0, message: 'This promo code does not exist or has expired.' };
  }
  if (p === '/api/shop/checkout' && m === 'POST') {
    const c = need(v);
    const existing = orders.find((o) => o.key === body.idempotency_key);
    if (existing) return [201, { order_id: existing.order_id, payment_id: existing.order_id + 1, status: 'CREATED', amount: existing.total, currency: 'INR' }];
    const cart = cartOf(v);
    if (!cart.items.length) throw new Fail(422, 'Your cart is empty.');
    let address = body.address || c.addresses.find((a) => a.address_id === body.address_id);
    if (!address) throw new Fail(422, 'address: choose a saved address or enter one');
    if (body.address && body.save_address) { address = { ...address, address_id: nextId.address++ }; c.addresses.push(address); }
    const promoDiscount = body.promo_code === 'WELCOME10' ? Math.round(cart.subtotal * 0.1 * 100) / 100 : 0;
    const taxable = cart.subtotal - promoDiscount;
    const tax = Math.round(taxable * 0.07 * 100) / 100;
    const o = {
      key: body.idempotency_key, customer: c.customer_id, order_id: nextId.order++, created_at: new Date().toISOString(), status: 'CREATED', payment_status: 'PENDING',
      total: Math.round((taxable + tax) * 100) / 100, currency: 'INR', item_count: cart.count, first_items: cart.items.slice(0, 3).map((i) => i.product.name),
      items: cart.items.map((i) => ({ product_id: i.product.product_id, name: i.product.name, qty: i.qty, unit_list_price: i.product.list_price, unit_sell_price: i.product.sell_price, line_total: i.line_subtotal })),
      subtotal: cart.subtotal, discount: cart.items.reduce((s, i) => s + (i.product.list_price - i.product.sell_price) * i.qty, 0), promo_code: body.promo_code || null, promo_discount: promoDiscount, tax,
      address, timeline: [{ stage: 'PLACED', at: new Date().toISOString() }, { stage: 'PAID', at: null }, { stage: 'SHIPPED', at: null }, { stage: 'DELIVERED', at: null }], can_cancel: true, cancel_reason: null,
    };
    orders.unshift(o);
    v.cart.clear();
    return [201, { order_id: o.order_id, payment_id: o.order_id + 1, status: 'CREATED', amount: o.total, currency: 'INR' }];
  }
  if ((mm = p.match(/^\/api\/shop\/orders\/(\d+)(\/(pay|cancel|reorder))?$/))) {
    const c = need(v);
    const o = orders.find((x) => x.order_id === Number(mm[1]) && x.customer === c.customer_id);
    if (!o) throw new Fail(404, 'No such order.');
    if (mm[3] === 'pay') {
      if (body.outcome === 'success') { o.status = 'CONFIRMED'; o.payment_status = 'CAPTURED'; o.timeline[1].at = new Date().toISOString(); email(c.email, 'ORDER_CONFIRMED', `Order #${o.order_id} confirmed`, `Thanks! We received ₹${o.total}.`); }
      else { o.status = 'CANCELLED'; o.payment_status = 'FAILED'; o.can_cancel = false; o.cancel_reason = `Payment failed: ${body.failure_reason}`; o.timeline.push({ stage: 'CANCELLED', at: new Date().toISOString() }); }
      kpiVersion++;
      return detail(o);
    }
    if (mm[3] === 'cancel') {
      if (!o.can_cancel) throw new Fail(409, 'This order can no longer be cancelled.');
      o.status = 'CANCELLED'; o.can_cancel = false; o.cancel_reason = body.reason; o.timeline.push({ stage: 'CANCELLED', at: new Date().toISOString() });
      return detail(o);
    }
    if (mm[3] === 'reorder') { o.items.forEach((i) => v.cart.set(i.product_id, Math.min(20, (v.cart.get(i.product_id) || 0) + i.qty))); return cartOf(v); }
    return detail(o);
  }
  if (p === '/api/shop/orders') { const c = need(v); return { items: orders.filter((o) => o.customer === c.customer_id).map(({ items, address, timeline, ...s }) => s) }; }
  if (p === '/api/shop/inbox') { const c = need(v); return { items: outbox.filter((e) => e.to === c.email).map(({ to, ...e }) => e) }; }
  if (p === '/api/shop/events' && m === 'POST') { events.push({ at: new Date().toISOString(), ...body }); return [202, {}]; }

  // ---- admin
  if (p === '/api/admin/login' && m === 'POST') {
    if (body.password !== ADMIN_PASSWORD) throw new Fail(401, 'password: wrong admin password');
    const id = crypto.randomUUID();
    const csrf = crypto.randomUUID();
    adminSessions.set(id, csrf);
    return [200, { csrf_token: csrf }, { 'Set-Cookie': `gc_admin=${id}; Path=/; HttpOnly; SameSite=Lax` }];
  }
  if (p === '/api/kpis/live') return kpis();
  const adminId = cookies(req).gc_admin;
  if (p.startsWith('/api/admin/')) {
    if (!adminSessions.has(adminId)) throw new Fail(401, 'Sign in as admin.');
    if (mutating && req.headers['x-csrf-token'] !== adminSessions.get(adminId)) throw new Fail(403, 'Missing or wrong CSRF token.');
  }
  if (p === '/api/admin/session') return { authenticated: true, csrf_token: adminSessions.get(adminId) };
  if (p === '/api/admin/logout') { adminSessions.delete(adminId); return [204]; }
  if (p === '/api/admin/funnel') {
    const s = [12000, 5400, 3900, 2100, 1800, 140, 1600];
    return { window_days: Number(q.get('window_days') || 30), stages: ['VIEW_PRODUCT', 'ADD_TO_CART', 'VIEW_CART', 'CHECKOUT_STARTED', 'PAYMENT_ATTEMPTED', 'PAYMENT_FAILED', 'ORDER_PLACED'].map((stage, i) => ({ stage, sessions: s[i] })), rates: { conversion_rate: 0.133, cart_abandonment_rate: 0.7, payment_failure_rate: 0.078 }, leakage: { abandonment_loss: 412000.5, payment_failure_loss: 23000, refund_leakage: 12000 }, currency: 'USD' };
  }
  if (p === '/api/admin/orders') {
    const all = orders.map((o) => ({ order_id: o.order_id, customer_id: o.customer, order_ts: o.created_at, status: o.status, payment_status: o.payment_status, channel: 'WEB', device: 'DESKTOP', currency: o.currency, net_amount: o.total }))
      .filter((o) => (!q.get('status') || o.status === q.get('status')) && (!q.get('q') || String(o.order_id).includes(q.get('q')) || String(o.customer_id).includes(q.get('q'))));
    const off = Number(q.get('offset') || 0);
    return { items: all.slice(off, off + Number(q.get('limit') || 50)), total: all.length };
  }
  if (p === '/api/admin/audit') return { items: orders.flatMap((o) => [{ at: o.created_at, table: 'fact_orders', key: String(o.order_id), action: 'INSERT', from_status: null, to_status: 'CREATED', reason: null, actor: 'shop' }].concat(o.cancel_reason ? [{ at: o.created_at, table: 'fact_orders', key: String(o.order_id), action: 'UPDATE', from_status: 'CREATED', to_status: 'CANCELLED', reason: o.cancel_reason, actor: 'customer' }] : [])) };
  if (p === '/api/admin/journeys') return { items: [{ session_id: 'a1b2c3d4-0000-4000-8000-000000000001', customer_id: 5000, first_event: new Date(Date.now() - 600000).toISOString(), last_event: new Date().toISOString(), events: events.length, channel: 'WEB', device: 'DESKTOP', reached: 'ORDER_PLACED' }] };
  if ((mm = p.match(/^\/api\/admin\/journeys\/(.+)$/))) return { session_id: decodeURIComponent(mm[1]), events: events.map((e) => ({ at: e.at, stage: e.stage, product_id: e.product_id ?? null, product_name: e.product_id ? byId.get(e.product_id).name : null, order_id: null, failure_reason: null })) };
  if (p === '/api/admin/charts/revenue') {
    const days = Number(q.get('days') || 90);
    return { points: Array.from({ length: days }, (_, i) => ({ day: new Date(Date.now() - (days - i) * 86400000).toISOString().slice(0, 10), net_revenue_usd: 8000 + 3000 * Math.sin(i / 6) + i * 40, orders: 90 + Math.round(20 * Math.cos(i / 5)) })) };
  }
  if (p === '/api/admin/charts/leakage') return { by_category: Object.keys(CATS).map((c, i) => ({ category: c, refunds_usd: 4000 + i * 900, discount_usd: 9000 - i * 1200, failed_usd: 1500 + i * 300 })), by_carrier: ['DHL', 'FEDEX', 'UPS', 'LOCAL_XPRESS'].map((c, i) => ({ carrier: c, shipping_usd: 12000 - i * 1500, sla_breaches: 40 + i * 25, refunds_usd: 2000 + i * 700 })) };
  if (p.startsWith('/api/admin/charts/') || p.startsWith('/api/admin/analytics/')) {
    const out = analyticsApi(p, q, res);
    if (out !== undefined) return out;
  }
  throw new Fail(404, `No route ${m} ${p}`);
}

function serveStatic(req, res, url) {
  let rel = decodeURIComponent(url.pathname);
  if (rel === '/' ) { res.writeHead(302, { Location: '/shop/' }); res.end(); return; }
  if (!/^\/(shop|admin|assets|vendor)\//.test(rel) && !/^\/(shop|admin)$/.test(rel)) { send(res, 404, { error: { status: 404, message: 'not found' } }); return; }
  if (rel.endsWith('/')) rel += 'index.html';
  const file = path.join(WEB, path.normalize(rel));
  if (!file.startsWith(WEB) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
    return;
  }
  res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', 'Content-Security-Policy': CSP, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
  fs.createReadStream(file).pipe(res);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, `http://${req.headers.host}`);
  if (url.pathname === '/readyz' || url.pathname === '/healthz') { send(res, 200, { status: 'ok' }); return; }
  if (url.pathname === '/api/kpis/stream') {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    const tick = () => res.write(`event: kpis\ndata: ${JSON.stringify(kpis())}\n\n`);
    tick();
    const t = setInterval(tick, 1000);
    req.on('close', () => clearInterval(t));
    return;
  }
  if (!url.pathname.startsWith('/api/')) { serveStatic(req, res, url); return; }
  let raw = '';
  req.on('data', (c) => { raw += c; });
  req.on('end', async () => {
    try {
      const body = raw ? JSON.parse(raw) : {};
      const out = await api(req, res, url, body);
      if (out === null) return;
      if (Array.isArray(out)) send(res, out[0], out[1], out[2]);
      else send(res, 200, out);
    } catch (e) {
      const status = e.status || 500;
      send(res, status, { error: { status, message: e.message, details: e.details } });
    }
  });
});

server.listen(PORT, '127.0.0.1', () => console.log(`mock GlobalCart on http://127.0.0.1:${PORT}/shop/ (admin password: ${ADMIN_PASSWORD})`));
