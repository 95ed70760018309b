// My orders: newest first, status, items, total, view, cancel with a reason.

import { api } from '../lib/api.js';
import { h, $, mount, icon, spinner, emptyState, errorState, statusBadge } from '../lib/dom.js';
import { money, dateTime } from '../lib/format.js';
import { initShop } from '../lib/nav.js';
import { cancelOrder } from './shared.js';

const CANCELLABLE = new Set(['CREATED', 'CONFIRMED']);

function row(o) {
  const items = o.first_items || [];
  const more = Math.max(0, (o.item_count || 0) - items.length);
  const view = h('a', { class: 'btn btn-sm btn-outline-primary', href: `/shop/order.html?id=${encodeURIComponent(o.order_id)}`, text: 'View' });
  const cancel = CANCELLABLE.has(o.status)
    ? h('button', { type: 'button', class: 'btn btn-sm btn-outline-danger', text: 'Cancel', onClick: async () => { if (await cancelOrder(o.order_id)) load(); } })
    : null;
  return h('div', { class: 'card order-card mb-3', dataset: { orderId: o.order_id } },
    h('div', { class: 'card-body' },
      h('div', { class: 'd-flex flex-wrap justify-content-between gap-2 align-items-start' },
        h('div', {},
          h('a', { class: 'fw-semibold text-reset', href: `/shop/order.html?id=${encodeURIComponent(o.order_id)}`, text: `Order #${o.order_id}` }),
          h('div', { class: 'small text-body-secondary', text: dateTime(o.created_at) })),
        h('div', { class: 'd-flex gap-2 align-items-center' },
          statusBadge(o.status),
          o.payment_status ? h('span', { class: 'small text-body-secondary', text: `Payment: ${o.payment_status}` }) : null)),
      h('div', { class: 'd-flex flex-wrap justify-content-between align-items-end gap-2 mt-2' },
        h('div', { class: 'small' },
          items.map((n) => h('div', { class: 'text-truncate order-item-name', text: n })),
          more ? h('div', { class: 'text-body-secondary', text: `+ ${more} more item${more === 1 ? '' : 's'}` }) : null),
        h('div', { class: 'text-end' },
          h('div', { class: 'fw-semibold', text: money(o.total, o.currency) }),
          h('div', { class: 'd-flex gap-2 mt-1 justify-content-end' }, cancel, view)))));
}

async function load() {
  const host = $('#orders');
  mount(host, spinner('Loading your orders…'));
  try {
    const res = await api.get('/api/shop/orders');
    if (!res.items.length) {
      mount(host, h('div', { class: 'card card-body' }, emptyState('No orders yet', 'When you place an order it shows up here.', h('a', { class: 'btn btn-primary', href: '/shop/', text: 'Start shopping' }), 'box')));
      return;
    }
    mount(host, res.items.map(row));
  } catch (e) {
    mount(host, errorState(e, load));
  }
}

async function main() {
  await initShop({ active: 'orders', requireAuth: true });
  $('#orders-refresh').addEventListener('click', load);
  $('#orders-refresh').prepend(icon('refresh', 'me-1'));
  $('#orders-refresh').disabled = false;
  load();
}

main();
