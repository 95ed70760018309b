// Order confirmation: success (paid) or failure (payment failed, order cancelled).

import { api } from '../lib/api.js';
import { h, $, mount, icon, spinner, emptyState, errorState, showError, param, busy } from '../lib/dom.js';
import { money } from '../lib/format.js';
import { initShop, setCounts } from '../lib/nav.js';

function orderLink(id) {
  return `/shop/order.html?id=${encodeURIComponent(id)}`;
}

function render(o) {
  const host = $('#confirmation');
  const paid = o.status === 'CONFIRMED' || o.payment_status === 'CAPTURED' || ['SHIPPED', 'DELIVERED', 'COMPLETED'].includes(o.status);
  const failed = o.status === 'CANCELLED' || o.payment_status === 'FAILED';
  const idLine = h('p', { class: 'lead mb-1' }, 'Order ', h('strong', { id: 'confirm-order-id', text: `#${o.order_id}` }));
  if (paid) {
    mount(host, h('div', { class: 'card confirm-card confirm-ok text-center p-4 p-md-5', id: 'confirm-success' },
      h('div', { class: 'confirm-icon mb-3' }, icon('check')),
      h('h1', { class: 'h3 fw-bold', text: 'Thank you! Your order is confirmed.' }),
      idLine,
      h('p', { class: 'text-body-secondary', text: `We received your payment of ${money(o.total, o.currency)}. A confirmation is in your inbox and we will let you know when it ships.` }),
      h('div', { class: 'd-flex flex-wrap gap-2 justify-content-center mt-2' },
        h('a', { class: 'btn btn-primary', href: orderLink(o.order_id), id: 'view-order', text: 'View order' }),
        h('a', { class: 'btn btn-outline-secondary', href: '/shop/', text: 'Continue shopping' }))));
    return;
  }
  if (failed) {
    const retry = h('button', { type: 'button', class: 'btn btn-primary', text: 'Put the items back in my cart' });
    retry.addEventListener('click', () => busy(retry, async () => {
      try {
        const cart = await api.post(`/api/shop/orders/${o.order_id}/reorder`);
        setCounts(cart.count);
        location.href = '/shop/cart.html';
      } catch (e) {
        showError(e);
      }
    }, 'Adding…'));
    mount(host, h('div', { class: 'card confirm-card confirm-fail text-center p-4 p-md-5', id: 'confirm-failure' },
      h('div', { class: 'confirm-icon mb-3' }, icon('x')),
      h('h1', { class: 'h3 fw-bold', text: 'Payment failed' }),
      idLine,
      h('p', { class: 'text-body-secondary' },
        'Your payment could not be completed',
        o.cancel_reason ? h('span', {}, ' (', h('span', { text: o.cancel_reason }), ')') : null,
        '. The order was cancelled and no money was taken.'),
      h('div', { class: 'd-flex flex-wrap gap-2 justify-content-center mt-2' },
        retry,
        h('a', { class: 'btn btn-outline-secondary', href: orderLink(o.order_id), text: 'View order' }))));
    return;
  }
  mount(host, h('div', { class: 'card confirm-card text-center p-4 p-md-5', id: 'confirm-pending' },
    h('div', { class: 'confirm-icon mb-3' }, icon('clock')),
    h('h1', { class: 'h3 fw-bold', text: 'Your order is awaiting payment' }),
    idLine,
    h('p', { class: 'text-body-secondary', text: `Status: ${o.status}, payment ${o.payment_status}. This page updates by itself.` }),
    h('a', { class: 'btn btn-primary', href: orderLink(o.order_id), text: 'View order' })));
}

async function load(id, attempt = 0) {
  try {
    const o = await api.get(`/api/shop/orders/${encodeURIComponent(id)}`);
    render(o);
    // The payment webhook settles the order; poll briefly while it is still pending.
    if (o.status === 'CREATED' && attempt < 10) setTimeout(() => load(id, attempt + 1), 1500);
  } catch (e) {
    if (e.status === 404) mount($('#confirmation'), emptyState('Order not found', 'This order does not exist or is not yours.', h('a', { class: 'btn btn-primary', href: '/shop/orders.html', text: 'My orders' })));
    else mount($('#confirmation'), errorState(e, () => load(id)));
  }
}

async function main() {
  await initShop({ active: 'orders', requireAuth: true });
  const id = param('order');
  if (!id) {
    mount($('#confirmation'), emptyState('No order given', 'Open an order from your order list.', h('a', { class: 'btn btn-primary', href: '/shop/orders.html', text: 'My orders' })));
    return;
  }
  mount($('#confirmation'), spinner('Loading your order…'));
  load(id);
}

main();
