// Cart page: the server cart (GET/PUT/DELETE /api/shop/cart…), quantities 1–20,
// subtotal, tax and total as the server computes them.

import { api } from '../lib/api.js';
import { h, $, mount, spinner, emptyState, errorState, showError, confirmDialog } from '../lib/dom.js';
import { money } from '../lib/format.js';
import { initShop, setCounts } from '../lib/nav.js';
import { productUrl, stockLine, track } from './shared.js';

let session = null;

function line(item, render) {
  const p = item.product;
  const max = Math.max(1, Math.min(20, Number(p.available) || 20));
  const qty = h('input', { type: 'number', class: 'form-control form-control-sm text-center qty-input', min: '1', max: String(Math.max(max, item.qty)), value: String(item.qty), 'aria-label': `Quantity of ${p.name}`, dataset: { productId: p.product_id } });
  qty.addEventListener('change', async () => {
    let v = parseInt(qty.value, 10);
    if (Number.isNaN(v) || v < 1) v = 1;
    if (v > 20) v = 20;
    qty.value = String(v);
    qty.disabled = true;
    try {
      render(await api.put(`/api/shop/cart/items/${p.product_id}`, { qty: v }));
    } catch (e) {
      showError(e);
      qty.value = String(item.qty);
      qty.disabled = false;
    }
  });
  const remove = h('button', { type: 'button', class: 'btn btn-link btn-sm text-danger p-0 remove-item', text: 'Remove' });
  remove.addEventListener('click', async () => {
    remove.disabled = true;
    try {
      render(await api.del(`/api/shop/cart/items/${p.product_id}`));
    } catch (e) {
      showError(e);
      remove.disabled = false;
    }
  });
  const short = Number(p.available) < item.qty;
  return h('li', { class: 'list-group-item py-3 cart-line', dataset: { productId: p.product_id } },
    h('div', { class: 'd-flex gap-3' },
      h('a', { href: productUrl(p.product_id), class: 'flex-shrink-0' }, h('img', { src: p.image_url, alt: '', class: 'cart-thumb rounded', width: '96', height: '72' })),
      h('div', { class: 'flex-grow-1 min-w-0' },
        h('a', { href: productUrl(p.product_id), class: 'fw-semibold text-reset d-block text-truncate', text: p.name }),
        h('div', { class: 'small text-body-secondary', text: `${p.brand} · ${money(p.sell_price, p.currency)} each` }),
        h('div', { class: 'small' }, stockLine(p)),
        short ? h('div', { class: 'small text-danger', text: `Only ${p.available} available: lower the quantity to check out.` }) : null,
        h('div', { class: 'd-flex align-items-center gap-3 mt-2' },
          h('div', { class: 'qty-wrap' }, qty),
          remove)),
      h('div', { class: 'text-end' },
        h('div', { class: 'fw-semibold', text: money(item.line_total, p.currency) }),
        h('div', { class: 'small text-body-secondary', text: `incl. ${money(item.line_tax, p.currency)} tax` }))));
}

function render(cart) {
  setCounts(cart.count);
  const host = $('#cart');
  if (!cart.items.length) {
    mount(host, h('div', { class: 'card card-body' }, emptyState('Your cart is empty', 'Find something you love in the catalog.', h('a', { class: 'btn btn-primary', href: '/shop/', text: 'Continue shopping' }), 'cart')));
    return;
  }
  const cur = cart.currency;
  const clear = h('button', { type: 'button', class: 'btn btn-outline-secondary btn-sm', text: 'Empty cart' });
  clear.addEventListener('click', async () => {
    if (!(await confirmDialog('Empty the cart?', 'All items will be removed from your cart.', { ok: 'Empty cart' }))) return;
    try {
      render(await api.del('/api/shop/cart'));
    } catch (e) {
      showError(e);
    }
  });
  mount(host,
    h('div', { class: 'row g-4' },
      h('div', { class: 'col-lg-8' },
        h('div', { class: 'card' },
          h('div', { class: 'card-header d-flex justify-content-between align-items-center' },
            h('span', { class: 'fw-semibold', text: `${cart.count} item${cart.count === 1 ? '' : 's'}` }), clear),
          h('ul', { class: 'list-group list-group-flush', id: 'cart-lines' }, cart.items.map((it) => line(it, render))))),
      h('div', { class: 'col-lg-4' },
        h('div', { class: 'card summary-card sticky-lg-top' },
          h('div', { class: 'card-body' },
            h('h2', { class: 'h5 mb-3', text: 'Order summary' }),
            h('dl', { class: 'summary mb-3' },
              h('dt', { text: 'Subtotal' }), h('dd', { id: 'cart-subtotal', text: money(cart.subtotal, cur) }),
              h('dt', { text: 'Tax' }), h('dd', { id: 'cart-tax', text: money(cart.tax, cur) }),
              h('dt', { class: 'total', text: 'Total' }), h('dd', { class: 'total', id: 'cart-total', text: money(cart.total, cur) })),
            h('a', { class: 'btn btn-primary btn-lg w-100', href: '/shop/checkout.html', id: 'go-checkout' }, 'Proceed to checkout'),
            h('p', { class: 'small text-body-secondary mt-2 mb-0' },
              session && session.customer ? 'Promo codes can be applied at checkout.' : 'You will sign in or create an account at checkout.'),
            h('a', { class: 'btn btn-link w-100 mt-1', href: '/shop/', text: 'Continue shopping' }))))));
}

async function load() {
  mount($('#cart'), spinner('Loading your cart…'));
  try {
    render(await api.get('/api/shop/cart'));
  } catch (e) {
    mount($('#cart'), errorState(e, load));
  }
}

async function main() {
  session = await initShop({ active: 'cart' });
  track('VIEW_CART');
  load();
}

main();
