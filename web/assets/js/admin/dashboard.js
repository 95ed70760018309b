// Admin dashboard: live KPI tiles (GET /api/kpis/live, then server-sent events from
// /api/kpis/stream), the funnel with its rates and leakage, and the orders monitor.

import { api } from '../lib/api.js';
import { h, $, mount, spinner, emptyState, errorState, statusBadge } from '../lib/dom.js';
import { money, moneyCompact, int, pct, dateTime, shortDateTime, time, label } from '../lib/format.js';
import { initAdmin, handleAuthError, panel } from './common.js';

const WINDOWS = [['today', 'Today (UTC)'], ['last_1h', 'Last hour'], ['last_24h', 'Last 24 hours'], ['last_5m', 'Last 5 minutes']];

// key, label, format, colour, sub-line
const TILES = [
  ['orders', 'Orders', (k) => int(k.orders), 'tile-blue', (k) => `${int(k.units)} units`],
  ['net_revenue_usd', 'Net revenue', (k) => moneyCompact(k.net_revenue_usd), 'tile-green', (k) => `GMV ${moneyCompact(k.gmv_usd)}`],
  ['aov_usd', 'Avg order value', (k) => (k.aov_usd === null ? '—' : money(k.aov_usd, 'USD')), 'tile-violet', () => 'net revenue / orders'],
  ['conversion_rate', 'Conversion rate', (k) => pct(k.conversion_rate), 'tile-green', (k) => `${int(k.sessions)} sessions`],
  ['cart_abandonment_rate', 'Cart abandonment', (k) => pct(k.cart_abandonment_rate), 'tile-amber', (k) => `${moneyCompact(k.revenue_lost_cart_abandonment_usd)} left in carts`],
  ['payment_failure_rate', 'Payment failures', (k) => pct(k.payment_failure_rate), 'tile-red', (k) => `${int(k.failed_payment_orders)} orders · ${moneyCompact(k.revenue_lost_payment_failures_usd)} lost`],
  ['net_profit_usd', 'Net profit', (k) => moneyCompact(k.net_profit_usd), 'tile-green', (k) => `net margin ${pct(k.net_margin)} · ${int(k.loss_orders)} loss-making orders`],
  ['gross_margin', 'Gross margin', (k) => pct(k.gross_margin), 'tile-violet', (k) => `gross profit ${moneyCompact(k.gross_profit_usd)}`],
  ['refund_amount_usd', 'Refunds', (k) => moneyCompact(k.refund_amount_usd), 'tile-amber', (k) => `COGS ${moneyCompact(k.cogs_usd)} · shipping ${moneyCompact(k.shipping_cost_usd)}`],
  ['sla_breach_rate', 'SLA breaches', (k) => pct(k.sla_breach_rate), 'tile-red', (k) => `${int(k.shipments)} shipments`],
];

const ORDER_STATUSES = ['CREATED', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'CANCELLED', 'RETURNED'];
const CHANNELS = ['WEB', 'APP'];
const ORDERS_PAGE = 25;

let windowKey = 'today';
let lastSnapshot = null;
let lastEventAt = 0;

// ------------------------------------------------------------------ live KPIs

function tiles() {
  return h('div', { class: 'kpi-grid', id: 'kpi-tiles' }, TILES.map(([key, text, , colour]) => h('div', { class: `kpi-tile ${colour}`, id: `kpi-${key.replace(/_usd$/, '')}`, dataset: { kpi: key } },
    h('div', { class: 'kpi-label', text }),
    h('div', { class: 'kpi-value', text: '—' }),
    h('div', { class: 'kpi-sub', text: ' ' }))));
}

function renderKpis(snap) {
  lastSnapshot = snap;
  const w = snap && snap.windows && snap.windows[windowKey];
  const k = w && w.overall;
  for (const [key, , fmt, , sub] of TILES) {
    const tile = document.getElementById(`kpi-${key.replace(/_usd$/, '')}`);
    if (!tile) continue;
    const valueEl = tile.querySelector('.kpi-value');
    const text = k ? fmt(k) : '—';
    if (valueEl.textContent !== text && valueEl.textContent !== '—') {
      tile.classList.remove('flash');
      void tile.offsetWidth;
      tile.classList.add('flash');
    }
    valueEl.textContent = text;
    tile.dataset.value = k && k[key] !== null && k[key] !== undefined ? String(k[key]) : '';
    tile.querySelector('.kpi-sub').textContent = k ? sub(k) : 'no data yet';
  }
  const gen = snap && snap.generated_at;
  $('#kpi-updated').textContent = gen ? `Data as of ${time(gen)} · received ${time(new Date())}` : 'Waiting for the first snapshot…';
  $('#kpi-window-from').textContent = w && w.from ? `since ${dateTime(w.from)}` : '';
}

function setLive(state, text) {
  const el = $('#live-status');
  if (!el) return;
  el.className = `badge rounded-pill text-bg-light border live-${state}`;
  el.lastChild.textContent = text;
}

function startStream() {
  const es = new EventSource('/api/kpis/stream');
  es.addEventListener('open', () => setLive('on', 'Live'));
  es.addEventListener('kpis', (ev) => {
    lastEventAt = Date.now();
    setLive('on', 'Live');
    try {
      renderKpis(JSON.parse(ev.data));
    } catch (e) {
      console.warn(`bad kpis event: ${e.message}`);
    }
  });
  es.addEventListener('error', () => setLive('off', es.readyState === EventSource.CLOSED ? 'Disconnected' : 'Reconnecting…'));
  const stale = setInterval(() => {
    if (lastEventAt && Date.now() - lastEventAt > 15000) setLive('off', 'Stale: no update for 15 s');
  }, 5000);
  return () => {
    es.close();
    clearInterval(stale);
  };
}

// ------------------------------------------------------------------ funnel

function funnelBody(f) {
  const stages = f.stages || [];
  const top = Math.max(1, ...stages.map((s) => s.sessions || 0));
  const bars = stages.map((s) => {
    const bar = h('div', { class: `funnel-bar${s.stage === 'PAYMENT_FAILED' ? ' failed' : ''}${s.stage === 'ORDER_PLACED' ? ' placed' : ''}` });
    requestAnimationFrame(() => { bar.style.width = `${((s.sessions || 0) / top) * 100}%`; });
    return h('div', { class: 'funnel-row' },
      h('span', { class: 'text-truncate', text: label(s.stage) }),
      h('div', { class: 'funnel-track', role: 'img', 'aria-label': `${label(s.stage)}: ${s.sessions} sessions` }, bar),
      h('span', { class: 'text-end fw-semibold', text: `${int(s.sessions)} · ${pct((s.sessions || 0) / top, 0)}` }));
  });
  const r = f.rates || {};
  const l = f.leakage || {};
  const cur = f.currency || 'USD';
  const box = (v, t) => h('div', { class: 'col-6 col-sm-4' }, h('div', { class: 'metric-box h-100' }, h('div', { class: 'v', text: v }), h('div', { class: 'l', text: t })));
  return h('div', { class: 'row g-4 align-items-center' },
    h('div', { class: 'col-lg-7' }, stages.length ? bars : emptyState('No sessions in this window', null, null, 'chart')),
    h('div', { class: 'col-lg-5' }, h('div', { class: 'row g-2' },
      box(pct(r.conversion_rate), 'Conversion'),
      box(pct(r.cart_abandonment_rate), 'Cart abandonment'),
      box(pct(r.payment_failure_rate), 'Payment failure'),
      box(moneyCompact(l.abandonment_loss, cur), 'Lost to abandonment'),
      box(moneyCompact(l.payment_failure_loss, cur), 'Lost to failed payments'),
      box(moneyCompact(l.refund_leakage, cur), 'Refund leakage'))));
}

async function loadFunnel() {
  const host = $('#funnel-body');
  mount(host, spinner());
  try {
    mount(host, funnelBody(await api.get('/api/admin/funnel', { window_days: $('#funnel-days').value })));
  } catch (e) {
    if (!handleAuthError(e)) mount(host, errorState(e, loadFunnel));
  }
}

// ------------------------------------------------------------------ orders monitor

let ordersOffset = 0;

async function loadOrders(keepPage) {
  if (!keepPage) ordersOffset = 0;
  const host = $('#orders-body');
  if (!host.firstChild || !keepPage) mount(host, spinner('Loading orders…'));
  try {
    const res = await api.get('/api/admin/orders', {
      status: $('#o-status').value,
      channel: $('#o-channel').value,
      q: $('#o-q').value.trim(),
      limit: ORDERS_PAGE,
      offset: ordersOffset,
    });
    if (!res.items.length) {
      mount(host, emptyState('No orders match', 'Change the filters or wait for new orders.', null, 'box'));
      return;
    }
    const from = ordersOffset + 1;
    const to = ordersOffset + res.items.length;
    const prev = h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', text: '‹ Newer', disabled: ordersOffset === 0, onClick: () => { ordersOffset = Math.max(0, ordersOffset - ORDERS_PAGE); loadOrders(true); } });
    const next = h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', text: 'Older ›', disabled: to >= res.total, onClick: () => { ordersOffset += ORDERS_PAGE; loadOrders(true); } });
    mount(host,
      h('div', { class: 'table-responsive' },
        h('table', { class: 'table table-hover table-admin table-compact align-middle mb-2', id: 'orders-table' },
          h('thead', {}, h('tr', {}, ['Order', 'Customer', 'Time', 'Status / payment', 'Channel', 'Net'].map((t, i) => h('th', { class: i === 5 ? 'text-end' : '', text: t })))),
          h('tbody', {}, res.items.map((o) => h('tr', {},
            h('td', { class: 'fw-semibold', text: `#${o.order_id}` }),
            h('td', { text: o.customer_id === null || o.customer_id === undefined ? 'guest' : String(o.customer_id) }),
            h('td', { title: dateTime(o.order_ts), text: shortDateTime(o.order_ts) }),
            h('td', {}, statusBadge(o.status), ' ', o.payment_status ? statusBadge(o.payment_status) : null),
            h('td', { text: [o.channel, o.device].filter(Boolean).join(' · ') || '—' }),
            h('td', { class: 'text-end', text: money(o.net_amount, o.currency) })))))),
      h('div', { class: 'd-flex justify-content-between align-items-center small' },
        h('span', { class: 'text-body-secondary', text: `${int(from)}–${int(to)} of ${int(res.total)}` }),
        h('div', { class: 'd-flex gap-2' }, prev, next)));
  } catch (e) {
    if (!handleAuthError(e)) mount(host, errorState(e, () => loadOrders(true)));
  }
}

function ordersControls() {
  const status = h('select', { class: 'form-select form-select-sm w-auto', id: 'o-status', 'aria-label': 'Status' }, h('option', { value: '', text: 'All statuses' }), ORDER_STATUSES.map((s) => h('option', { value: s, text: label(s) })));
  const channel = h('select', { class: 'form-select form-select-sm w-auto', id: 'o-channel', 'aria-label': 'Channel' }, h('option', { value: '', text: 'All channels' }), CHANNELS.map((s) => h('option', { value: s, text: s })));
  const q = h('input', { class: 'form-control form-control-sm w-auto', id: 'o-q', type: 'search', placeholder: 'Order or customer id', 'aria-label': 'Order or customer id' });
  const auto = h('input', { class: 'form-check-input', type: 'checkbox', id: 'o-auto', checked: true });
  status.addEventListener('change', () => loadOrders(false));
  channel.addEventListener('change', () => loadOrders(false));
  let t = null;
  q.addEventListener('input', () => {
    clearTimeout(t);
    t = setTimeout(() => loadOrders(false), 350);
  });
  return [status, channel, q, h('div', { class: 'form-check form-switch small mb-0' }, auto, h('label', { class: 'form-check-label', for: 'o-auto', text: 'Auto-refresh' }))];
}

// ------------------------------------------------------------------ page

function render(main) {
  const windowSel = h('select', { class: 'form-select form-select-sm w-auto', id: 'kpi-window', 'aria-label': 'KPI window' }, WINDOWS.map(([v, t]) => h('option', { value: v, text: t })));
  windowSel.value = windowKey;
  windowSel.addEventListener('change', () => {
    windowKey = windowSel.value;
    renderKpis(lastSnapshot);
  });
  const funnelDays = h('select', { class: 'form-select form-select-sm w-auto', id: 'funnel-days', 'aria-label': 'Funnel window' }, [7, 30, 90, 365].map((d) => h('option', { value: String(d), text: `Last ${d} days` })));
  funnelDays.value = '30';
  funnelDays.addEventListener('change', loadFunnel);

  mount(main,
    h('div', { class: 'd-flex flex-wrap justify-content-between align-items-center gap-2 mb-3' },
      h('div', {},
        h('h1', { class: 'admin-title fw-bold mb-0', text: 'Live dashboard' }),
        h('div', { class: 'small text-body-secondary' }, h('span', { id: 'kpi-updated', text: 'Connecting…' }), ' ', h('span', { id: 'kpi-window-from' }))),
      h('div', { class: 'd-flex gap-2 align-items-center' },
        h('span', { id: 'live-status', class: 'badge rounded-pill text-bg-light border live-wait', 'aria-live': 'polite' }, h('span', { class: 'live-dot' }), 'Connecting…'),
        windowSel)),
    tiles(),
    h('div', { class: 'row g-4 mt-1' },
      h('div', { class: 'col-12' }, panel('Funnel & revenue leakage', funnelDays, h('div', { id: 'funnel-body' }), { id: 'funnel-panel', cls: 'h-100' })),
      h('div', { class: 'col-12' }, panel('Orders monitor', ordersControls(), h('div', { id: 'orders-body' }), { id: 'orders-panel', cls: 'h-100' }))));

  api.get('/api/kpis/live').then(renderKpis).catch((e) => {
    if (!handleAuthError(e)) $('#kpi-updated').textContent = `Could not load KPIs: ${e.message}`;
  });
  const stopStream = startStream();
  loadFunnel();
  loadOrders(false);
  const timer = setInterval(() => {
    const auto = $('#o-auto');
    if (auto && auto.checked && !document.hidden) loadOrders(true);
  }, 15000);
  return () => {
    stopStream();
    clearInterval(timer);
  };
}

initAdmin('dashboard', render);
