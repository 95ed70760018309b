// DOM helpers. Everything is built with createElement + textContent: API data never
// goes through innerHTML, so a product name or a cancel reason cannot inject markup.

/**
 * h('a', {class: 'btn', href: '/x', onClick: fn, dataset: {id: 1}}, 'text', child, [more])
 * Strings become text nodes; null/undefined/false children are skipped.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
      else if (k === 'style') throw new Error('inline style attributes are not allowed (CSP); use classes');
      else if (k === 'value') el.value = v;
      else if (k === 'checked' || k === 'disabled' || k === 'selected' || k === 'required' || k === 'hidden') el[k] = Boolean(v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function $(sel, root = document) {
  return root.querySelector(sel);
}

export function $$(sel, root = document) {
  return [...root.querySelectorAll(sel)];
}

/** Replaces the children of `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A Bootstrap-icon-free inline SVG icon (paths are constants, never data). */
const ICONS = {
  cart: 'M3 3h2l2.4 11.2a2 2 0 0 0 2 1.6h7.7a2 2 0 0 0 2-1.5L21 7H6.2M10 20.5a1 1 0 1 1-2 0 1 1 0 0 1 2 0zm9 0a1 1 0 1 1-2 0 1 1 0 0 1 2 0z',
  heart: 'M12 20.5s-7.5-4.6-9.2-9.4C1.6 7.6 4 4.5 7.3 4.5c2 0 3.6 1.1 4.7 2.8 1.1-1.7 2.7-2.8 4.7-2.8 3.3 0 5.7 3.1 4.5 6.6-1.7 4.8-9.2 9.4-9.2 9.4z',
  mic: 'M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3zm-7 9a7 7 0 0 0 14 0M12 19v3',
  search: 'M10.5 18a7.5 7.5 0 1 1 0-15 7.5 7.5 0 0 1 0 15zm5.3-2.2L21 21',
  box: 'M3 7.5 12 3l9 4.5v9L12 21l-9-4.5v-9zm0 0 9 4.5 9-4.5M12 12v9',
  mail: 'M3 6h18v12H3zm0 0 9 7 9-7',
  user: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-8 9a8 8 0 0 1 16 0',
  truck: 'M2 6h12v10H2zm12 4h4l3 3v3h-7M6 19.5a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zm11 0a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3z',
  shield: 'M12 3 4 6v6c0 4.5 3.4 8.2 8 9 4.6-.8 8-4.5 8-9V6l-8-3zm-3.5 9 2.5 2.5 4.5-5',
  refresh: 'M20 11a8 8 0 0 0-14.9-3M4 4v4h4m-4 5a8 8 0 0 0 14.9 3M20 20v-4h-4',
  pin: 'M12 21s-7-6.2-7-11.5A7 7 0 0 1 19 9.5C19 14.8 12 21 12 21zm0-9a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5z',
  check: 'M5 12.5 10 17l9-10',
  x: 'M6 6l12 12M18 6 6 18',
  chart: 'M4 20V10m6 10V4m6 16v-7m4 7H2',
  clock: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zm0-13v4.5l3 2',
  play: 'M7 4.5v15l12-7.5z',
  star: 'M12 3.5l2.6 5.3 5.9.9-4.3 4.1 1 5.8L12 16.8l-5.2 2.8 1-5.8-4.3-4.1 5.9-.9z',
  eye: 'M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12zm10 3a3 3 0 1 0 0-6 3 3 0 0 0 0 6z',
  lock: 'M6 11h12v10H6zm2 0V8a4 4 0 0 1 8 0v3',
  logout: 'M15 4h4v16h-4M10 8l-4 4 4 4M6 12h10',
};

export function icon(name, cls = '') {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', `icon ${cls}`.trim());
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name] || ICONS.box);
  svg.appendChild(path);
  return svg;
}

// ------------------------------------------------------------------ toasts

function toastHost() {
  let host = document.getElementById('toast-host');
  if (!host) {
    host = h('div', { id: 'toast-host', class: 'toast-container position-fixed bottom-0 end-0 p-3', 'aria-live': 'polite' });
    document.body.appendChild(host);
  }
  return host;
}

/** Shows a toast; kind: danger | success | info | warning. */
export function toast(message, kind = 'danger', ms = 5000) {
  const close = h('button', { type: 'button', class: 'btn-close btn-close-white me-2 m-auto', 'aria-label': 'Close' });
  const el = h(
    'div',
    { class: `toast show align-items-center text-bg-${kind} border-0`, role: kind === 'danger' ? 'alert' : 'status' },
    h('div', { class: 'd-flex' }, h('div', { class: 'toast-body', text: message }), close),
  );
  const remove = () => el.remove();
  close.addEventListener('click', remove);
  toastHost().appendChild(el);
  setTimeout(remove, ms);
  return el;
}

/** Toasts the message of an ApiError (or any Error). */
export function showError(err, prefix) {
  const msg = (err && err.message) || String(err);
  toast(prefix ? `${prefix}: ${msg}` : msg, 'danger', 7000);
}

// ------------------------------------------------------------------ states

export function spinner(text = 'Loading…') {
  return h(
    'div',
    { class: 'state-loading text-center text-body-secondary py-5', role: 'status' },
    h('div', { class: 'spinner-border spinner-border-sm me-2', 'aria-hidden': 'true' }),
    h('span', { text }),
  );
}

/** Skeleton placeholder cards for grids. */
export function skeletonCards(n = 8, col = 'col-6 col-md-4 col-xl-3') {
  const cards = [];
  for (let i = 0; i < n; i++) {
    cards.push(
      h('div', { class: col },
        h('div', { class: 'card product-card placeholder-glow h-100', 'aria-hidden': 'true' },
          h('div', { class: 'placeholder product-img-ph' }),
          h('div', { class: 'card-body' },
            h('span', { class: 'placeholder col-9 mb-2' }),
            h('span', { class: 'placeholder col-6 mb-2' }),
            h('span', { class: 'placeholder col-4' })))));
  }
  return cards;
}

export function emptyState(title, text, action, iconName = 'box') {
  return h(
    'div',
    { class: 'empty-state text-center py-5' },
    h('div', { class: 'empty-icon mb-3' }, icon(iconName)),
    h('h2', { class: 'h5', text: title }),
    text ? h('p', { class: 'text-body-secondary mb-3', text }) : null,
    action || null,
  );
}

export function errorState(err, retry) {
  return h(
    'div',
    { class: 'alert alert-danger d-flex align-items-center justify-content-between gap-3', role: 'alert' },
    h('span', { text: (err && err.message) || String(err) }),
    retry ? h('button', { class: 'btn btn-sm btn-outline-danger', type: 'button', onClick: retry, text: 'Retry' }) : null,
  );
}

/** Disables a button and shows a spinner while `fn` runs. */
export async function busy(button, fn, text) {
  const old = [...button.childNodes];
  button.disabled = true;
  mount(button, h('span', { class: 'spinner-border spinner-border-sm me-2', 'aria-hidden': 'true' }), text || button.textContent);
  try {
    return await fn();
  } finally {
    button.disabled = false;
    button.replaceChildren(...old);
  }
}

// ------------------------------------------------------------------ modals

/**
 * Opens a Bootstrap modal. `build(close)` returns {body, footer}; resolves with the value
 * given to close(value) (undefined when dismissed).
 */
export function modal(title, build, { size = '' } = {}) {
  return new Promise((resolve) => {
    let result;
    const titleId = `m-${Math.random().toString(36).slice(2)}`;
    const root = h('div', { class: 'modal fade', tabindex: '-1', 'aria-labelledby': titleId, 'aria-modal': 'true', role: 'dialog' });
    const close = (value) => {
      result = value;
      instance.hide();
    };
    const { body, footer } = build(close);
    root.appendChild(
      h('div', { class: `modal-dialog modal-dialog-centered modal-dialog-scrollable ${size}` },
        h('div', { class: 'modal-content' },
          h('div', { class: 'modal-header' },
            h('h2', { class: 'modal-title h5', id: titleId, text: title }),
            h('button', { type: 'button', class: 'btn-close', 'data-bs-dismiss': 'modal', 'aria-label': 'Close' })),
          h('div', { class: 'modal-body' }, body),
          footer ? h('div', { class: 'modal-footer' }, footer) : null)),
    );
    document.body.appendChild(root);
    const instance = new window.bootstrap.Modal(root);
    root.addEventListener('hidden.bs.modal', () => {
      instance.dispose();
      root.remove();
      resolve(result);
    });
    instance.show();
  });
}

/** A yes/no confirmation; resolves true when confirmed. */
export function confirmDialog(title, message, { ok = 'Confirm', danger = true } = {}) {
  return modal(title, (close) => ({
    body: h('p', { class: 'mb-0', text: message }),
    footer: [
      h('button', { type: 'button', class: 'btn btn-outline-secondary', text: 'Cancel', onClick: () => close(false) }),
      h('button', { type: 'button', class: `btn ${danger ? 'btn-danger' : 'btn-primary'}`, text: ok, onClick: () => close(true) }),
    ],
  })).then((v) => v === true);
}

// ------------------------------------------------------------------ badges

const STATUS_CLASS = {
  CREATED: 'text-bg-warning',
  PENDING: 'text-bg-warning',
  CONFIRMED: 'text-bg-primary',
  CAPTURED: 'text-bg-success',
  PAID: 'text-bg-success',
  SHIPPED: 'text-bg-info',
  DELIVERED: 'text-bg-success',
  COMPLETED: 'text-bg-success',
  CANCELLED: 'text-bg-secondary',
  FAILED: 'text-bg-danger',
  DECLINED: 'text-bg-danger',
  RETURNED: 'text-bg-dark',
  REFUNDED: 'text-bg-dark',
  SENT: 'text-bg-success',
};

export function statusBadge(status) {
  const s = String(status || 'UNKNOWN').toUpperCase();
  return h('span', { class: `badge rounded-pill ${STATUS_CLASS[s] || 'text-bg-light'}`, text: s.replace(/_/g, ' ') });
}

const STAGE_CLASS = {
  VIEW_PRODUCT: 'stage-view',
  ADD_TO_CART: 'stage-add',
  VIEW_CART: 'stage-cart',
  CHECKOUT_STARTED: 'stage-checkout',
  PAYMENT_ATTEMPTED: 'stage-attempt',
  PAYMENT_FAILED: 'stage-failed',
  ORDER_PLACED: 'stage-placed',
};

export function stageBadge(stage) {
  return h('span', { class: `badge stage-badge ${STAGE_CLASS[stage] || 'text-bg-light'}`, text: String(stage || '?').replace(/_/g, ' ') });
}

/** Reads ?name= from the page URL. */
export function param(name) {
  return new URLSearchParams(location.search).get(name);
}
