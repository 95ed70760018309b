// Checkout: address (saved or new, optionally saved), promo code, payment method,
// simulated payment failure, then POST /checkout (idempotent key made once per page
// load) and POST /orders/{id}/pay, then the confirmation page.

import { api, uuid } from '../lib/api.js';
import { h, $, mount, icon, spinner, emptyState, errorState, showError, toast } from '../lib/dom.js';
import { money } from '../lib/format.js';
import { initShop } from '../lib/nav.js';
import { addressFields, addressOption, addressBlock } from './address-form.js';
import { track } from './shared.js';

// One key per page load: a double click or a retry after a network error cannot make two orders.
const IDEMPOTENCY_KEY = uuid();

const METHODS = [
  ['CARD', 'Credit or debit card'],
  ['UPI', 'UPI'],
  ['NETBANKING', 'Net banking'],
  ['WALLET', 'Wallet'],
];
// The simulated provider's failure codes (shop/src/payments.rs FAILURES).
const FAILURE_REASONS = ['BANK_DECLINED', 'INSUFFICIENT_FUNDS', 'CARD_EXPIRED', 'OTP_TIMEOUT', 'RISK_REJECTED'];

let cart = null;
let addresses = [];
let promo = null; // {code, discount} once applied
let form = null; // new-address fields

function summary() {
  const cur = cart.currency;
  const discount = promo ? Number(promo.discount) || 0 : 0;
  // tax is charged on the discounted amount, at the cart's rate
  const sub = Number(cart.subtotal) || 0;
  const rate = sub > 0 ? Number(cart.tax) / sub : 0;
  const tax = promo ? Math.round(Math.max(0, sub - discount) * rate * 100) / 100 : Number(cart.tax);
  const est = promo ? Math.max(0, sub - discount) + tax : Number(cart.total);
  return h('div', {},
    h('ul', { class: 'list-unstyled small mb-3 checkout-items' },
      cart.items.map((it) => h('li', { class: 'd-flex justify-content-between gap-2 py-1' },
        h('span', { class: 'text-truncate' }, h('span', { class: 'text-body-secondary me-1', text: `${it.qty}×` }), it.product.name),
        h('span', { class: 'text-nowrap', text: money(it.line_subtotal, it.product.currency) })))),
    h('dl', { class: 'summary mb-0' },
      h('dt', { text: 'Subtotal' }), h('dd', { id: 'sum-subtotal', text: money(cart.subtotal, cur) }),
      promo ? [h('dt', { class: 'text-success', text: `Promo ${promo.code}` }), h('dd', { class: 'text-success', id: 'sum-promo', text: `−${money(discount, cur)}` })] : null,
      h('dt', { text: 'Tax' }), h('dd', { id: 'sum-tax', text: money(tax, cur) }),
      h('dt', { class: 'total', text: promo ? 'Estimated total' : 'Total' }), h('dd', { class: 'total', id: 'sum-total', text: money(est, cur) })),
    promo ? h('p', { class: 'small text-body-secondary mt-2 mb-0', text: 'The final amount is confirmed when you place the order.' }) : null);
}

function renderSummary() {
  mount($('#summary'), summary());
}

function promoBox() {
  const input = h('input', { class: 'form-control', id: 'promo-code', placeholder: 'Promo code', maxlength: '40', autocomplete: 'off', 'aria-label': 'Promo code' });
  const apply = h('button', { class: 'btn btn-outline-primary', type: 'submit', id: 'promo-apply', text: 'Apply' });
  const msg = h('div', { class: 'small mt-2', id: 'promo-msg', 'aria-live': 'polite' });
  const f = h('form', { class: 'mt-3', id: 'promo-form', novalidate: true }, h('div', { class: 'input-group' }, input, apply), msg);
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    const code = input.value.trim().toUpperCase();
    if (promo && (!code || code === promo.code)) {
      promo = null;
      input.value = '';
      apply.textContent = 'Apply';
      input.disabled = false;
      msg.className = 'small mt-2 text-body-secondary';
      msg.textContent = 'Promo code removed.';
      renderSummary();
      return;
    }
    if (!code) {
      msg.className = 'small mt-2 text-danger';
      msg.textContent = 'Enter a promo code.';
      return;
    }
    apply.disabled = true;
    try {
      const res = await api.get(`/api/shop/promos/${encodeURIComponent(code)}`, { subtotal: cart.subtotal });
      if (res.valid) {
        promo = { code: res.code || code, discount: Number(res.discount) || 0 };
        input.value = promo.code;
        input.disabled = true;
        apply.textContent = 'Remove';
        msg.className = 'small mt-2 text-success';
        msg.textContent = res.message || `${promo.code} applied: you save ${money(promo.discount, cart.currency)}.`;
      } else {
        promo = null;
        msg.className = 'small mt-2 text-danger';
        msg.textContent = res.message || 'This promo code is not valid.';
      }
      renderSummary();
    } catch (err) {
      msg.className = 'small mt-2 text-danger';
      msg.textContent = err.message;
    } finally {
      apply.disabled = false;
    }
  });
  return f;
}

function addressCard() {
  const select = h('select', { class: 'form-select', id: 'address-select', 'aria-label': 'Delivery address' },
    addresses.map((a) => h('option', { value: String(a.address_id), text: addressOption(a) })),
    h('option', { value: 'new', text: '+ Use a new address' }));
  const def = addresses.find((a) => a.is_default) || addresses[0];
  select.value = def ? String(def.address_id) : 'new';
  form = addressFields('ship', {});
  form.defaultBox.closest('.default-wrap').classList.add('d-none');
  const save = h('input', { class: 'form-check-input', type: 'checkbox', id: 'save-address', checked: true });
  const newBox = h('div', { id: 'new-address', class: 'mt-3' },
    form.el,
    h('div', { class: 'form-check mt-3' }, save, h('label', { class: 'form-check-label', for: 'save-address', text: 'Save this address to my address book' })));
  const preview = h('div', { class: 'mt-3 p-3 rounded bg-body-tertiary', id: 'address-preview' });
  const sync = () => {
    const isNew = select.value === 'new';
    newBox.classList.toggle('d-none', !isNew);
    preview.classList.toggle('d-none', isNew);
    if (!isNew) mount(preview, addressBlock(addresses.find((a) => String(a.address_id) === select.value)));
  };
  select.addEventListener('change', sync);
  sync();
  return {
    el: h('section', { class: 'card mb-4' },
      h('div', { class: 'card-header d-flex justify-content-between align-items-center' },
        h('h2', { class: 'h6 mb-0' }, icon('pin', 'me-2'), 'Delivery address'),
        h('a', { href: '/shop/addresses.html', class: 'small', text: 'Manage saved addresses' })),
      h('div', { class: 'card-body' },
        addresses.length ? select : h('p', { class: 'small text-body-secondary', text: 'You have no saved address yet: enter one below.' }),
        addresses.length ? preview : null,
        newBox)),
    selected: () => (addresses.length ? select.value : 'new'),
    save: () => save.checked,
  };
}

function paymentCard() {
  const method = h('select', { class: 'form-select', id: 'payment-method' }, METHODS.map(([v, t]) => h('option', { value: v, text: t })));
  const fail = h('input', { class: 'form-check-input', type: 'checkbox', role: 'switch', id: 'simulate-failure' });
  const reason = h('select', { class: 'form-select form-select-sm mt-2 d-none', id: 'failure-reason', 'aria-label': 'Failure reason' }, FAILURE_REASONS.map((r) => h('option', { value: r, text: r.replace(/_/g, ' ').toLowerCase() })));
  fail.addEventListener('change', () => reason.classList.toggle('d-none', !fail.checked));
  return {
    el: h('section', { class: 'card mb-4' },
      h('div', { class: 'card-header' }, h('h2', { class: 'h6 mb-0' }, icon('shield', 'me-2'), 'Payment')),
      h('div', { class: 'card-body' },
        h('label', { class: 'form-label small', for: 'payment-method', text: 'Payment method' }),
        method,
        h('div', { class: 'sandbox-box mt-3 p-3 rounded' },
          h('div', { class: 'form-check form-switch' }, fail, h('label', { class: 'form-check-label', for: 'simulate-failure', text: 'Simulate a payment failure (sandbox)' })),
          reason,
          h('div', { class: 'small text-body-secondary mt-1', text: 'Payments are simulated: no money is taken. A failed payment cancels the order and releases the stock.' })))),
    value: () => ({ method: method.value, fail: fail.checked, reason: reason.value }),
  };
}

function stockAlert(err) {
  const items = (err.details && err.details.items) || [];
  return h('div', { class: 'alert alert-warning', role: 'alert', id: 'stock-alert' },
    h('strong', { text: err.message }),
    items.length ? h('ul', { class: 'mb-2 mt-2' }, items.map((i) => h('li', { text: `${i.name}: ${i.available} available, ${i.requested} in your cart` }))) : null,
    h('a', { href: '/shop/cart.html', class: 'alert-link', text: 'Update your cart' }));
}

async function placeOrder(btn, addr, pay) {
  const alerts = $('#checkout-alerts');
  mount(alerts);
  const body = { idempotency_key: IDEMPOTENCY_KEY, payment_method: pay.value().method };
  if (promo) body.promo_code = promo.code;
  const sel = addr.selected();
  if (sel === 'new') {
    if (!form.validate()) {
      toast('Check the highlighted address fields.', 'warning');
      return;
    }
    const a = form.value();
    a.is_default = addresses.length === 0;
    body.address = a;
    body.save_address = addr.save();
  } else {
    body.address_id = Number(sel);
  }
  btn.disabled = true;
  const label = [...btn.childNodes];
  mount(btn, h('span', { class: 'spinner-border spinner-border-sm me-2', 'aria-hidden': 'true' }), 'Placing your order…');
  try {
    const order = await api.post('/api/shop/checkout', body);
    btn.lastChild.textContent = 'Processing payment…';
    const p = pay.value();
    const outcome = p.fail ? { outcome: 'failure', failure_reason: p.reason } : { outcome: 'success' };
    try {
      await api.post(`/api/shop/orders/${order.order_id}/pay`, outcome);
    } catch (e) {
      // The order exists; its page shows the payment state and lets the customer act on it.
      showError(e, 'Payment could not be completed');
    }
    location.href = `/shop/confirmation.html?order=${encodeURIComponent(order.order_id)}`;
  } catch (e) {
    btn.disabled = false;
    btn.replaceChildren(...label);
    if (e.status === 409 && e.details && e.details.items) mount(alerts, stockAlert(e));
    else mount(alerts, h('div', { class: 'alert alert-danger', role: 'alert', text: e.message }));
    alerts.scrollIntoView({ behavior: 'smooth', block: 'center' });
  }
}

async function load() {
  const host = $('#checkout');
  mount(host, spinner('Preparing checkout…'));
  try {
    [cart, { items: addresses }] = await Promise.all([api.get('/api/shop/cart'), api.get('/api/shop/addresses')]);
  } catch (e) {
    mount(host, errorState(e, load));
    return;
  }
  if (!cart.items.length) {
    mount(host, h('div', { class: 'card card-body' }, emptyState('Your cart is empty', 'Add something to your cart before checking out.', h('a', { class: 'btn btn-primary', href: '/shop/', text: 'Browse the catalog' }), 'cart')));
    return;
  }
  const addr = addressCard();
  const pay = paymentCard();
  const place = h('button', { class: 'btn btn-success btn-lg w-100 mt-3', type: 'button', id: 'place-order' }, icon('lock', 'me-2'), 'Place order');
  place.addEventListener('click', () => placeOrder(place, addr, pay));
  mount(host,
    h('div', { id: 'checkout-alerts' }),
    h('div', { class: 'row g-4' },
      h('div', { class: 'col-lg-7' }, addr.el, pay.el),
      h('div', { class: 'col-lg-5' },
        h('section', { class: 'card summary-card sticky-lg-top' },
          h('div', { class: 'card-body' },
            h('h2', { class: 'h5 mb-3', text: 'Order summary' }),
            h('div', { id: 'summary' }),
            promoBox(),
            place,
            h('p', { class: 'small text-body-secondary text-center mt-2 mb-0', text: 'By placing the order you agree to pay the total shown above.' }))))));
  renderSummary();
}

async function main() {
  await initShop({ active: 'checkout', requireAuth: true });
  track('CHECKOUT_STARTED');
  load();
}

main();
