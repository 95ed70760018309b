// Journeys: funnel sessions (filter by customer and window), a session's timeline with
// product names and stage badges, a step-by-step replay, and a product quick view.

import { api } from '../lib/api.js';
import { h, $, $$, mount, icon, spinner, emptyState, errorState, stageBadge, modal } from '../lib/dom.js';
import { dateTime, time, int, money, ago } from '../lib/format.js';
import { initAdmin, handleAuthError, panel } from './common.js';

const REPLAY_MS = 700;
let replayTimer = null;
let current = null; // the open session's events

function stopReplay() {
  clearTimeout(replayTimer);
  replayTimer = null;
  const btn = $('#replay');
  if (btn) mount(btn, icon('play', 'me-1'), 'Replay');
}

async function productQuickView(id, name) {
  await modal(name || `Product ${id}`, () => {
    const body = h('div', {}, spinner());
    api.get(`/api/shop/products/${encodeURIComponent(id)}`).then((p) => {
      mount(body, h('div', { class: 'row g-3' },
        h('div', { class: 'col-sm-5' }, h('img', { src: p.image_url, alt: '', class: 'img-fluid rounded', width: '320', height: '240' })),
        h('div', { class: 'col-sm-7' },
          h('div', { class: 'small text-body-secondary', text: `${p.brand} · ${p.category_l1} / ${p.category_l2} · SKU ${p.sku}` }),
          h('div', { class: 'fs-5 fw-bold mt-1', text: money(p.sell_price, p.currency) }),
          h('div', { class: 'small text-body-secondary', text: `List ${money(p.list_price, p.currency)} · ${Math.round(Number(p.discount_pct) || 0)}% off` }),
          h('div', { class: 'small mt-1', text: `${int(p.available)} in stock · rating ${p.rating_avg === null ? '—' : Number(p.rating_avg).toFixed(1)} (${int(p.rating_count)})` }),
          p.description ? h('p', { class: 'small mt-2 mb-0 prewrap', text: p.description }) : null,
          h('a', { class: 'btn btn-sm btn-outline-primary mt-2', href: `/shop/product.html?id=${encodeURIComponent(p.product_id)}`, target: '_blank', rel: 'noopener', text: 'Open in the shop ↗' }))));
    }).catch((e) => mount(body, errorState(e)));
    return { body };
  }, { size: 'modal-lg' });
}

function eventRow(e, reveal) {
  const product = e.product_id !== null && e.product_id !== undefined
    ? h('button', { type: 'button', class: 'btn btn-link btn-sm p-0 text-start', text: e.product_name || `Product ${e.product_id}`, onClick: () => productQuickView(e.product_id, e.product_name) })
    : null;
  return h('div', { class: `journey-event${reveal ? ' reveal' : ''}` },
    h('span', { class: 'small text-body-secondary', title: dateTime(e.at), text: time(e.at) }),
    h('span', {}, stageBadge(e.stage)),
    h('div', { class: 'small' },
      product,
      e.order_id !== null && e.order_id !== undefined ? h('div', { text: `Order #${e.order_id}` }) : null,
      e.failure_reason ? h('div', { class: 'text-danger', text: `Failure: ${e.failure_reason}` }) : null,
      !product && !e.order_id && !e.failure_reason ? h('span', { class: 'text-body-secondary', text: '—' }) : null));
}

function renderTimeline(events, upTo) {
  const list = $('#timeline-list');
  const shown = upTo === undefined ? events : events.slice(0, upTo);
  mount(list, shown.length ? shown.map((e, i) => eventRow(e, upTo !== undefined && i === shown.length - 1)) : h('p', { class: 'text-body-secondary small mb-0', text: 'Press Replay to watch the session unfold.' }));
  $('#replay-progress').textContent = upTo === undefined ? `${events.length} events` : `${shown.length} / ${events.length}`;
}

function replay() {
  if (!current) return;
  if (replayTimer) {
    stopReplay();
    renderTimeline(current);
    return;
  }
  const btn = $('#replay');
  mount(btn, icon('x', 'me-1'), 'Stop');
  let n = 0;
  const step = () => {
    n += 1;
    renderTimeline(current, n);
    if (n < current.length) replayTimer = setTimeout(step, REPLAY_MS);
    else {
      replayTimer = null;
      mount(btn, icon('play', 'me-1'), 'Replay');
    }
  };
  renderTimeline(current, 0);
  replayTimer = setTimeout(step, 300);
}

async function openSession(s, row) {
  stopReplay();
  $$('#sessions-table tbody tr').forEach((r) => r.classList.remove('table-active'));
  if (row) row.classList.add('table-active');
  const host = $('#timeline');
  mount(host, spinner('Loading the session…'));
  try {
    const res = await api.get(`/api/admin/journeys/${encodeURIComponent(s.session_id)}`);
    current = res.events || [];
    const replayBtn = h('button', { type: 'button', class: 'btn btn-sm btn-primary', id: 'replay', onClick: replay }, icon('play', 'me-1'), 'Replay');
    mount(host,
      h('div', { class: 'd-flex flex-wrap justify-content-between align-items-center gap-2 mb-2' },
        h('div', { class: 'small' },
          h('div', { class: 'fw-semibold text-break', text: `Session ${res.session_id}` }),
          h('div', { class: 'text-body-secondary', text: `Customer ${s.customer_id ?? 'guest'} · ${s.channel || '—'} · ${s.device || '—'}` })),
        h('div', { class: 'd-flex align-items-center gap-2' }, h('span', { class: 'small text-body-secondary', id: 'replay-progress' }), replayBtn)),
      h('div', { id: 'timeline-list' }));
    if (!current.length) mount($('#timeline-list'), emptyState('No events in this session', null, null, 'clock'));
    else renderTimeline(current);
  } catch (e) {
    if (!handleAuthError(e)) mount(host, errorState(e, () => openSession(s, row)));
  }
}

async function loadSessions() {
  stopReplay();
  const host = $('#sessions');
  mount(host, spinner('Loading sessions…'));
  const customer = $('#j-customer').value.trim();
  let hours = parseInt($('#j-hours').value, 10);
  if (Number.isNaN(hours)) hours = 72;
  hours = Math.max(1, Math.min(720, hours));
  $('#j-hours').value = String(hours);
  try {
    const { items } = await api.get('/api/admin/journeys', { customer_id: customer, window_hours: hours, limit: 100 });
    if (!items.length) {
      mount(host, emptyState('No sessions in this window', customer ? 'This customer has no session in the window: widen it.' : 'Widen the window or wait for shoppers.', null, 'user'));
      return;
    }
    mount(host, h('div', { class: 'table-responsive' },
      h('table', { class: 'table table-hover table-admin table-compact align-middle mb-0', id: 'sessions-table' },
        h('thead', {}, h('tr', {}, ['Last event', 'Session', 'Customer', 'Events', 'Channel', 'Reached'].map((t) => h('th', { text: t })))),
        h('tbody', {}, items.map((s) => {
          const tr = h('tr', { class: 'row-click', tabindex: '0', dataset: { session: s.session_id } },
            h('td', { title: dateTime(s.last_event), text: ago(s.last_event) }),
            h('td', { class: 'font-monospace small', title: String(s.session_id), text: String(s.session_id).slice(0, 14) }),
            h('td', { text: s.customer_id === null || s.customer_id === undefined ? 'guest' : String(s.customer_id) }),
            h('td', { text: int(s.events) }),
            h('td', { class: 'small', text: [s.channel, s.device].filter(Boolean).join(' · ') || '—' }),
            h('td', {}, s.reached ? stageBadge(s.reached) : '—'));
          tr.addEventListener('click', () => openSession(s, tr));
          tr.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') openSession(s, tr); });
          return tr;
        })))));
  } catch (e) {
    if (!handleAuthError(e)) mount(host, errorState(e, loadSessions));
  }
}

function render(main) {
  const customer = h('input', { class: 'form-control form-control-sm', id: 'j-customer', inputmode: 'numeric', placeholder: 'Customer id', 'aria-label': 'Customer id' });
  const hours = h('input', { class: 'form-control form-control-sm', id: 'j-hours', type: 'number', min: '1', max: '720', value: '72', 'aria-label': 'Window in hours' });
  const filters = h('form', { class: 'd-flex flex-wrap gap-2 align-items-center', id: 'j-filters' },
    h('div', { class: 'input-group input-group-sm w-auto' }, h('span', { class: 'input-group-text', text: 'Customer' }), customer),
    h('div', { class: 'input-group input-group-sm w-auto' }, h('span', { class: 'input-group-text', text: 'Window (h)' }), hours),
    h('button', { type: 'submit', class: 'btn btn-sm btn-primary', text: 'Refresh' }),
    h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', text: 'Clear', onClick: () => { customer.value = ''; hours.value = '72'; loadSessions(); } }));
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    loadSessions();
  });
  mount(main,
    h('div', { class: 'd-flex flex-wrap justify-content-between align-items-center gap-2 mb-3' },
      h('h1', { class: 'admin-title fw-bold mb-0', text: 'Customer journeys' }),
      filters),
    h('div', { class: 'row g-4' },
      h('div', { class: 'col-xl-7' }, panel('Sessions', null, h('div', { id: 'sessions' }), { cls: 'h-100' })),
      h('div', { class: 'col-xl-5' }, panel('Session timeline', null, h('div', { id: 'timeline' },
        emptyState('Pick a session', 'Click a session to see its events, then replay it step by step.', null, 'play')), { cls: 'h-100' }))));
  loadSessions();
  return stopReplay;
}

initAdmin('journey', render);
