// Browser end-to-end test of the shop and the admin console (plain Node + playwright-core
// driving the system Chromium). Exits 1 on a failed assertion, a console error or a page error.
//
//   BASE_URL=http://127.0.0.1:8000 ADMIN_PASSWORD=… node web/tests/e2e.mjs
//   ARTIFACTS (default web/test-artifacts): full-page screenshots NN-name.png of every page
//   CHROMIUM (default /usr/bin/chromium), HEADED=1 to watch it, PROMO_CODE (default WELCOME10)

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, request as apiRequest } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BASE = (process.env.BASE_URL || 'http://127.0.0.1:8000').replace(/\/$/, '');
const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD || '';
const ARTIFACTS = path.resolve(process.env.ARTIFACTS || path.join(HERE, '..', 'test-artifacts'));
const PROMO = process.env.PROMO_CODE ?? 'WELCOME10';
const KPI_WAIT_MS = 15000;

const started = Date.now();
let shot = 0;
let stepNo = 0;
const problems = []; // console errors and page errors, with the page they came from

function log(msg) {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  console.log(`[e2e ${t}s] ${msg}`);
}

function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

async function step(name, fn) {
  stepNo += 1;
  log(`step ${stepNo}: ${name}`);
  const r = await fn();
  if (problems.length) {
    throw new Error(`browser reported ${problems.length} error(s) during "${name}":\n  ${problems.join('\n  ')}`);
  }
  return r;
}

async function screenshot(page, name) {
  shot += 1;
  const file = path.join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  log(`  screenshot ${path.relative(process.cwd(), file)}`);
}

function watch(page) {
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const loc = msg.location();
      problems.push(`console error on ${page.url()}: ${msg.text()}${loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
    } else if (msg.type() === 'warning') {
      log(`  console warning on ${page.url()}: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`page error on ${page.url()}: ${err.message}`));
  page.on('response', (res) => {
    if (res.status() >= 400) log(`  HTTP ${res.status()} ${res.request().method()} ${res.url()}`);
  });
}

let kpiApi = null;
/** A separate API client signed in as admin: the KPI API needs an admin session (and the
 *  browser must still meet the admin login form later). */
async function kpiClient() {
  if (!kpiApi) {
    kpiApi = await apiRequest.newContext({ baseURL: BASE });
    const res = await kpiApi.post('/api/admin/login', { data: { password: ADMIN_PASSWORD } });
    assert(res.ok(), `POST /api/admin/login answered ${res.status()}`);
  }
  return kpiApi;
}

/** Orders today from GET /api/kpis/live (waits up to 30 s for the cache's first snapshot). */
async function liveOrdersToday(page) {
  const deadline = Date.now() + 30000;
  const api = await kpiClient();
  for (;;) {
    const res = await api.get('/api/kpis/live');
    assert(res.ok(), `GET /api/kpis/live answered ${res.status()}`);
    const snap = await res.json();
    const k = snap.windows && snap.windows.today && snap.windows.today.overall;
    if (k && typeof k.orders === 'number') return k.orders;
    assert(Date.now() < deadline, `GET /api/kpis/live has windows.today.overall.orders within 30 s (got ${JSON.stringify(snap).slice(0, 200)})`);
    await page.waitForTimeout(1000);
  }
}

async function main() {
  assert(ADMIN_PASSWORD, 'ADMIN_PASSWORD is set');
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  for (const f of fs.readdirSync(ARTIFACTS)) if (f.endsWith('.png')) fs.rmSync(path.join(ARTIFACTS, f));

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: !process.env.HEADED,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'].filter((a) => a !== '--headless' || !process.env.HEADED),
  });
  // reduced motion: charts draw without animation, so the screenshots show them complete
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', reducedMotion: 'reduce' });
  context.setDefaultTimeout(20000);
  const page = await context.newPage();
  watch(page);
  let failed = false;
  try {
    await run(context, page);
  } catch (e) {
    failed = true;
    console.error(`\n[e2e] FAILED: ${e.message}`);
    try {
      for (const p of context.pages()) await screenshot(p, 'failure');
    } catch {
      /* the page may be gone */
    }
  } finally {
    await browser.close();
  }
  if (!failed && problems.length) {
    failed = true;
    console.error(`\n[e2e] FAILED: browser errors:\n  ${problems.join('\n  ')}`);
  }
  log(failed ? 'FAILED' : `PASSED (${stepNo} steps, ${shot} screenshots in ${ARTIFACTS})`);
  process.exit(failed ? 1 : 0);
}

async function run(context, page) {
  let word;
  await step('home page shows the catalog', async () => {
    await page.goto(`${BASE}/shop/`);
    await page.locator('#grid .product-card').first().waitFor();
    const names = await page.locator('#grid .product-name').allTextContents();
    assert(names.length > 0, 'the home page lists products');
    const words = names.join(' ').split(/[^\p{L}]+/u).filter((w) => w.length >= 4);
    assert(words.length, `a searchable word in the product names (${names.slice(0, 3).join(' | ')})`);
    word = words.sort((a, b) => b.length - a.length)[0];
    log(`  ${names.length} products; searching for "${word}"`);
    await screenshot(page, 'home');
  });

  await step(`search for "${word}"`, async () => {
    await page.fill('#search-q', word);
    await page.press('#search-q', 'Enter');
    await page.waitForURL((u) => new URL(u).searchParams.get('q') === word);
    await page.locator('#result-info', { hasText: word }).waitFor();
    await page.locator('#grid .product-card').first().waitFor();
    const names = await page.locator('#grid .product-name').allTextContents();
    assert(names.length > 0, `search "${word}" finds products`);
    log(`  ${await page.textContent('#result-info')}`);
    await screenshot(page, 'search');
  });

  let productName;
  await step('open a product in stock', async () => {
    const card = page.locator('#grid .product-card').filter({ has: page.locator('.add-to-cart:not([disabled])') }).first();
    await card.waitFor();
    await card.locator('.product-name a').click();
    await page.waitForURL(/\/shop\/product\.html\?id=/);
    await page.locator('#product-name').waitFor();
    productName = (await page.textContent('#product-name')).trim();
    const stock = await page.textContent('#stock');
    assert(/in stock|left/i.test(stock), `the product shows its stock (${stock})`);
    log(`  ${productName} — ${stock.trim()}`);
    await page.locator('#review-eligibility *').first().waitFor();
    await screenshot(page, 'product');
  });

  await step('add it to the cart', async () => {
    await page.click('#add-to-cart');
    await page.locator('#nav-cart-count:not(.d-none)').waitFor();
    const n = Number(await page.textContent('#nav-cart-count'));
    assert(n >= 1, `the cart badge counts the item (${n})`);
  });

  await step('cart page lists it with totals', async () => {
    await page.click('#nav-cart');
    await page.waitForURL(/\/shop\/cart\.html/);
    await page.locator('#cart-lines .cart-line').first().waitFor();
    const text = await page.textContent('#cart-lines');
    assert(text.includes(productName), `the cart lists "${productName}"`);
    const total = await page.textContent('#cart-total');
    assert(/\d/.test(total), `the cart shows a total (${total})`);
    log(`  total ${total}`);
    await screenshot(page, 'cart');
  });

  const email = `e2e-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}@example.com`;
  await step('checkout asks to sign in; sign up with an emailed code', async () => {
    await page.click('#go-checkout');
    await page.waitForURL(/\/shop\/login\.html\?/);
    await page.locator('#tab-signup').waitFor();
    await page.click('#tab-signup');
    await page.fill('#su-name', 'E2E Shopper');
    await page.fill('#su-email', email);
    await page.fill('#su-password', 'Sh0pper!pass');
    assert((await page.locator('#su-rules .rule.ok').count()) === 4, 'the password checklist ticks all 4 rules');
    await screenshot(page, 'signup');
    await page.click('#su-send');
    await page.locator('#su-code').waitFor();
    const codeEl = page.locator('#demo-inbox-list .demo-code').first();
    await codeEl.waitFor({ timeout: 30000 });
    const code = await codeEl.getAttribute('data-code');
    assert(/^\d{4,8}$/.test(code || ''), `the demo inbox shows a code (${code})`);
    log(`  ${email} got code ${code}`);
    await screenshot(page, 'otp');
    await page.fill('#su-code', code);
    await page.click('#su-verify');
    await page.waitForURL(/\/shop\/checkout\.html/);
  });

  let before;
  let shownTotal;
  await step('checkout with a new address', async () => {
    await page.locator('#place-order').waitFor();
    await page.locator('#nav-account').waitFor();
    const account = await page.textContent('#nav-account');
    assert(account.includes('E2E Shopper'), `the navbar shows the account (${account})`);
    if ((await page.locator('#address-select').count()) > 0) await page.selectOption('#address-select', 'new');
    await page.fill('#ship-label', 'Home');
    await page.fill('#ship-recipient_name', 'E2E Shopper');
    await page.fill('#ship-phone', '+91 98765 43210');
    await page.fill('#ship-line1', '12 Test Street');
    await page.fill('#ship-city', 'Mumbai');
    await page.fill('#ship-state', 'Maharashtra');
    await page.fill('#ship-postal_code', '400001');
    await page.selectOption('#ship-country', 'India');
    await page.selectOption('#payment-method', 'UPI');
    if (PROMO) {
      await page.fill('#promo-code', PROMO);
      await page.click('#promo-apply');
      await page.locator('#promo-msg:not(:empty)').waitFor();
      const promoed = await page.locator('#sum-promo').count();
      log(`  promo ${PROMO}: ${(await page.textContent('#promo-msg')).trim()}${promoed ? ` → ${await page.textContent('#sum-promo')}` : ''}`);
    }
    shownTotal = await page.textContent('#sum-total');
    log(`  checkout shows ${shownTotal}`);
    before = await liveOrdersToday(page);
    log(`  live KPI orders today before the order: ${before}`);
    await screenshot(page, 'checkout');
  });

  let orderId;
  await step('place the order and pay', async () => {
    await page.click('#place-order');
    await page.waitForURL(/\/shop\/confirmation\.html\?order=/, { timeout: 30000 });
    orderId = new URL(page.url()).searchParams.get('order');
    await page.locator('#confirm-success').waitFor({ timeout: 30000 });
    const shown = await page.textContent('#confirm-order-id');
    assert(shown.includes(orderId), `the confirmation shows order ${orderId} (${shown})`);
    log(`  order ${orderId} confirmed`);
    // the order travels shop → outbox → Kafka → loader → star schema: time until the
    // admin's orders monitor (fact_orders) shows it confirmed (a figure, not a limit)
    const api = await kpiClient();
    const t0 = Date.now();
    for (;;) {
      const res = await api.get(`/api/admin/orders?q=${orderId}`);
      assert(res.ok(), `GET /api/admin/orders answered ${res.status()}`);
      const rows = (await res.json()).items || [];
      if (rows.some((r) => String(r.order_id) === orderId && r.status === 'CONFIRMED')) break;
      assert(Date.now() - t0 < 15000, `order ${orderId} reached fact_orders within 15 s`);
      await page.waitForTimeout(100);
    }
    log(`  order ${orderId} in the star schema (orders monitor) ${Date.now() - t0} ms after the confirmation page`);
    await screenshot(page, 'confirmation');
  });

  await step('order page shows the order, its address and timeline', async () => {
    await page.click('#view-order');
    await page.waitForURL(/\/shop\/order\.html\?id=/);
    await page.locator('#timeline').waitFor();
    const items = await page.textContent('#order');
    assert(items.includes(productName), 'the order lists the product');
    assert(items.includes('12 Test Street'), 'the order shows the delivery address');
    const charged = await page.textContent('#order-totals dd.total');
    const amount = (t) => Number(t.replace(/[^0-9.-]/g, ''));
    assert(Math.abs(amount(charged) - amount(shownTotal)) <= 0.05, `the order total ${charged} is what checkout showed (${shownTotal}), promo included`);
    log(`  charged ${charged}`);
    await screenshot(page, 'order');
  });

  await step('orders list shows the order', async () => {
    await page.goto(`${BASE}/shop/orders.html`);
    await page.locator(`.order-card[data-order-id="${orderId}"]`).waitFor();
    await screenshot(page, 'orders');
  });

  await step('admin: sign in and watch the live orders tile', async () => {
    const admin = await context.newPage();
    watch(admin);
    await admin.goto(`${BASE}/admin/`);
    await admin.locator('#admin-password').waitFor();
    await screenshot(admin, 'admin-login');
    await admin.fill('#admin-password', ADMIN_PASSWORD);
    await admin.click('#admin-login-submit');
    await admin.locator('#kpi-orders[data-value]:not([data-value=""])').waitFor();
    const deadline = Date.now() + KPI_WAIT_MS;
    let value = Number(await admin.getAttribute('#kpi-orders', 'data-value'));
    log(`  orders tile: ${value} (needs ≥ ${before + 1})`);
    while (value < before + 1 && Date.now() < deadline) {
      await admin.waitForTimeout(500);
      value = Number(await admin.getAttribute('#kpi-orders', 'data-value'));
    }
    assert(value >= before + 1, `the live orders tile reaches ${before + 1} within ${KPI_WAIT_MS / 1000} s (it shows ${value})`);
    log(`  orders tile: ${value} — live indicator "${(await admin.textContent('#live-status')).trim()}"`);
    await admin.locator('#funnel-body .funnel-row, #funnel-body .empty-state, #funnel-body .alert').first().waitFor();
    await admin.locator('#orders-body table, #orders-body .empty-state, #orders-body .alert').first().waitFor();
    await screenshot(admin, 'admin-dashboard');

    await admin.click('a.nav-link[href="/admin/analytics.html"]');
    await analyticsPage(admin);
    await screenshot(admin, 'admin-analytics');

    await admin.click('a.nav-link[href="/admin/audit.html"]');
    await admin.locator('#audit-table, #audit-body .empty-state').first().waitFor();
    await screenshot(admin, 'admin-audit');

    await admin.click('a.nav-link[href="/admin/journey.html"]');
    await admin.locator('#sessions-table, #sessions .empty-state').first().waitFor();
    if (await admin.locator('#sessions-table tbody tr').count()) {
      await admin.click('#sessions-table tbody tr');
      await admin.locator('#replay, #timeline .empty-state').first().waitFor();
    }
    await screenshot(admin, 'admin-journey');
    await admin.close();
  });
}

/**
 * The analytics page in either state: before the first analytics run the RFM, cohort and
 * forecast cards show the API's message; after it they draw their charts. An error alert in
 * any card fails, and so does a half-rendered state (charts without the run line, or the reverse).
 */
async function analyticsPage(admin) {
  const cards = {
    revenue: ['#chart-revenue canvas', '#chart-revenue .empty-state'],
    funnel: ['#chart-funnel canvas', '#chart-funnel .empty-state'],
    rfm: ['#chart-rfm canvas', '#chart-rfm .empty-state'],
    cohorts: ['#chart-cohorts table', '#chart-cohorts .empty-state'],
    forecast: ['#chart-forecast canvas', '#chart-forecast .empty-state'],
  };
  const id = (sel) => sel.split(' ')[0];
  for (const [drawn, empty] of Object.values(cards)) {
    await admin.locator(`${drawn}, ${empty}, ${id(drawn)} .alert-danger`).first().waitFor();
  }
  await admin.locator('#a-updated', { hasText: 'Updated' }).waitFor(); // every request settled
  const state = {};
  for (const [name, [drawn, empty]] of Object.entries(cards)) {
    const alert = admin.locator(`${id(drawn)} .alert-danger`);
    assert(!(await alert.count()), `analytics ${name} card has no error (${(await alert.count()) ? await alert.first().textContent() : ''})`);
    state[name] = (await admin.locator(drawn).count()) ? 'drawn' : 'empty';
    if (state[name] === 'empty') {
      const text = (await admin.locator(empty).first().innerText()).replace(/\s+/g, ' ').trim();
      assert(text.length > 0, `analytics ${name} empty state explains itself`);
      if (name !== 'revenue' && name !== 'funnel') log(`  ${name}: ${text}`);
    }
  }
  const run = (await admin.textContent('#a-run')).trim();
  const ran = ['rfm', 'cohorts', 'forecast'].some((n) => state[n] === 'drawn');
  log(`  ${run} — ${Object.entries(state).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (ran) {
    assert(/Last analytics run: .+ \(run #\d+\)/.test(run), `the page names the analytics run (${run})`);
    if (state.rfm === 'drawn') assert((await admin.locator('#rfm-clusters').count()) === 1, 'the RFM card lists the k-means clusters');
    if (state.cohorts === 'drawn') {
      const cells = await admin.locator('#cohort-table tbody tr').count();
      assert(cells > 0, 'the cohort heatmap has rows');
    }
  } else {
    assert(/none yet/.test(run), `no run yet is said so (${run})`);
  }
  const links = admin.locator('#downloads a[download][href$=".csv"]');
  const n = await links.count();
  assert(n === 13, `the downloads card links 13 CSV datasets (${n})`);
  const href = await links.first().getAttribute('href');
  const csv = await admin.request.get(`${BASE}${href}`);
  assert(csv.ok() && /text\/csv/.test(csv.headers()['content-type'] || ''), `${href} answers a CSV (${csv.status()} ${csv.headers()['content-type']})`);
  const header = (await csv.text()).split('\n')[0];
  assert(header.includes('run_id'), `${href} has a header row (${header.slice(0, 80)})`);
  log(`  downloads: ${n} CSV links; ${href} → ${header.slice(0, 60)}…`);
  await admin.waitForTimeout(800); // chart animations
}

main();
