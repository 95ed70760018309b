// One order: items, totals with promo, address, tracking timeline, cancel, reorder.

import { api } from '../lib/api.js';
import { h, $, mount, icon, spinner, emptyState, errorState, showError, statusBadge, param, busy } from '../lib/dom.js';
import { money, dateTime } from '../lib/format.js';
import { initShop, setCounts } from '../lib/nav.js';
import { addressBlock } from './address-form.js';
import { cancelOrder, productUrl } from './shared.js';

const STAGE_TEXT = { PLACED: 'Order placed', PAID: 'Payment received', SHIPPED: 'Shipped', DELIVERED: 'Delivered', CANCELLED: 'Cancelled' };

function timeline(o) {
  const stages = o.timeline || [];
  return h('ol', { class: 'timeline list-unstyled mb-0', id: 'timeline' },
    stages.map((s) => {
      const done = Boolean(s.at);
      const cancelled = s.stage === 'CANCELLED';
      return h('li', { class: `timeline-step${done ? ' done' : ''}${cancelled && done ? ' cancelled' : ''}` },
        h('span', { class: 'timeline-dot', 'aria-hidden': 'true' }, done ? icon(cancelled ? 'x' : 'check') : null),
        h('div', {},
          h('div', { class: 'fw-semibold', text: STAGE_TEXT[s.stage] || s.stage }),
          h('div', { class: 'small text-body-secondary', text: done ? dateTime(s.at) : 'Pending' })));
    }));
}

function render(o) {
  const cur = o.currency;
  const cancel = o.can_cancel
    ? h('button', { type: 'button', class: 'btn btn-outline-danger', id: 'cancel-order', text: 'Cancel order', onClick: async () => { const d = await cancelOrder(o.order_id); if (d) render(d); } })
    : null;
  const reorder = h('button', { type: 'button', class: 'btn btn-primary', id: 'reorder' }, icon('refresh', 'me-1'), 'Reorder');
  reorder.addEventListener('click', () => busy(reorder, async () => {
    try {
      const cart = await api.post(`/api/shop/orders/${o.order_id}/reorder`);
      setCounts(cart.count);
      location.href = '/shop/cart.html';
    } catch (e) {
      showError(e);
    }
  }, 'Adding to cart…'));

  document.title = `Order #${o.order_id} · GlobalCart 360`;
  mount($('#order'),
    h('div', { class: 'd-flex flex-wrap justify-content-between align-items-center gap-2 mb-3' },
      h('div', {},
        h('h1', { class: 'h4 mb-1' }, `Order #${o.order_id} `, statusBadge(o.status)),
        h('div', { class: 'small text-body-secondary', text: `Placed ${dateTime(o.created_at)} · Payment ${o.payment_status || '—'}` })),
      h('div', { class: 'd-flex gap-2' }, cancel, reorder)),
    o.status === 'CANCELLED' && o.cancel_reason ? h('div', { class: 'alert alert-secondary', role: 'status' }, h('strong', { text: 'Cancelled: ' }), h('span', { text: o.cancel_reason })) : null,
    h('div', { class: 'row g-4' },
      h('div', { class: 'col-lg-8' },
        h('section', { class: 'card mb-4' },
          h('div', { class: 'card-header fw-semibold', text: 'Items' }),
          h('div', { class: 'table-responsive' },
            h('table', { class: 'table align-middle mb-0' },
              h('thead', {}, h('tr', {}, h('th', { text: 'Product' }), h('th', { class: 'text-end', text: 'Price' }), h('th', { class: 'text-center', text: 'Qty' }), h('th', { class: 'text-end', text: 'Total' }))),
              h('tbody', {}, (o.items || []).map((it) => h('tr', {},
                h('td', {}, h('a', { href: productUrl(it.product_id), text: it.name })),
                h('td', { class: 'text-end text-nowrap' },
                  h('div', { text: money(it.unit_sell_price, cur) }),
                  Number(it.unit_list_price) > Number(it.unit_sell_price) ? h('div', { class: 'price-list small', text: money(it.unit_list_price, cur) }) : null),
                h('td', { class: 'text-center', text: String(it.qty) }),
                h('td', { class: 'text-end text-nowrap' },
                  h('div', { text: money(Number(it.unit_sell_price) * it.qty, cur) }),
                  Math.abs(Number(it.line_total) - Number(it.unit_sell_price) * it.qty) >= 0.01
                    ? h('div', { class: 'small text-body-secondary', title: 'This line after its share of the promo, with tax', text: `${money(it.line_total, cur)} charged` })
                    : null))))))),
        h('section', { class: 'card' },
          h('div', { class: 'card-header fw-semibold', text: 'Tracking' }),
          h('div', { class: 'card-body' }, timeline(o)))),
      h('div', { class: 'col-lg-4' },
        h('section', { class: 'card mb-4' },
          h('div', { class: 'card-body' },
            h('h2', { class: 'h6', text: 'Payment summary' }),
            h('dl', { class: 'summary mb-0', id: 'order-totals' },
              h('dt', { text: 'Subtotal' }), h('dd', { text: money(o.subtotal, cur) }),
              o.promo_code ? [h('dt', { class: 'text-success', text: `Promo ${o.promo_code}` }), h('dd', { class: 'text-success', text: `−${money(o.promo_discount, cur)}` })] : null,
              h('dt', { text: 'Tax' }), h('dd', { text: money(o.tax, cur) }),
              h('dt', { class: 'total', text: 'Total' }), h('dd', { class: 'total', text: money(o.total, cur) })),
            Number(o.discount) > 0 ? h('p', { class: 'small text-success mt-2 mb-0', id: 'order-savings', text: `You saved ${money(o.discount, cur)} on list prices${o.promo_code ? ' and promos' : ''}.` }) : null)),
        h('section', { class: 'card' },
          h('div', { class: 'card-body' },
            h('h2', { class: 'h6', text: 'Delivery address' }),
            o.address ? addressBlock(o.address) : h('p', { class: 'small text-body-secondary mb-0', text: 'No address on this order.' }))))));
}

async function load(id) {
  mount($('#order'), spinner('Loading the order…'));
  try {
    render(await api.get(`/api/shop/orders/${encodeURIComponent(id)}`));
  } catch (e) {
    if (e.status === 404) mount($('#order'), emptyState('Order not found', 'This order does not exist or is not yours.', h('a', { class: 'btn btn-primary', href: '/shop/orders.html', text: 'My orders' })));
    else mount($('#order'), errorState(e, () => load(id)));
  }
}

async function main() {
  await initShop({ active: 'orders', requireAuth: true });
  const id = param('id');
  if (!id) {
    mount($('#order'), emptyState('No order given', 'Open an order from your order list.', h('a', { class: 'btn btn-primary', href: '/shop/orders.html', text: 'My orders' })));
    return;
  }
  load(id);
}

main();
