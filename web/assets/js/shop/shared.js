// Shop pieces used by several pages: product cards, add to cart, wishlist, funnel events.

import { api, uuid } from '../lib/api.js';
import { h, icon, toast, showError, modal } from '../lib/dom.js';
import { money, stars } from '../lib/format.js';
import { currentSession, setCounts, loginUrl } from '../lib/nav.js';

/**
 * Publishes a funnel event (VIEW_PRODUCT, VIEW_CART, CHECKOUT_STARTED) once per page view.
 * A failure is logged as a warning and never breaks the page.
 */
export function track(stage, productId) {
  const body = { event_id: uuid(), stage };
  if (productId !== undefined && productId !== null) body.product_id = productId;
  api.post('/api/shop/events', body).catch((e) => {
    console.warn(`funnel event ${stage} was not recorded: ${e.message}`);
  });
}

export async function addToCart(productId, qty = 1, name = '') {
  const cart = await api.post('/api/shop/cart/items', { product_id: productId, qty });
  setCounts(cart.count);
  toast(`${name ? `${name} — ` : ''}added to your cart`, 'success', 3000);
  return cart;
}

/** Puts (on=true) or removes a product from the wishlist; sends signed-out visitors to sign in. */
export async function setWishlisted(productId, on) {
  const s = currentSession();
  if (!s || !s.customer) {
    location.href = loginUrl('login_required');
    return null;
  }
  const res = on ? await api.put(`/api/shop/wishlist/${productId}`) : await api.del(`/api/shop/wishlist/${productId}`);
  const items = (res && res.items) || [];
  setCounts(undefined, items.length);
  return new Set(items.map((p) => p.product_id));
}

/** The ids in the signed-in customer's wishlist (empty when signed out). */
export async function wishlistIds() {
  const s = currentSession();
  if (!s || !s.customer) return new Set();
  try {
    const res = await api.get('/api/shop/wishlist');
    return new Set(res.items.map((p) => p.product_id));
  } catch (e) {
    showError(e, 'Could not load your wishlist');
    return new Set();
  }
}

export function productUrl(id) {
  return `/shop/product.html?id=${encodeURIComponent(id)}`;
}

export function priceBlock(p, large = false) {
  const discount = Number(p.discount_pct) > 0 && Number(p.list_price) > Number(p.sell_price);
  return h('div', { class: `price-block${large ? ' price-lg' : ''}` },
    h('span', { class: 'price-sell', text: money(p.sell_price, p.currency) }),
    discount ? h('span', { class: 'price-list', text: money(p.list_price, p.currency) }) : null,
    discount ? h('span', { class: 'badge text-bg-danger price-off', text: `-${Math.round(Number(p.discount_pct))}%` }) : null);
}

export function ratingLine(p) {
  if (p.rating_avg === null || p.rating_avg === undefined || !p.rating_count) {
    return h('div', { class: 'rating small text-body-secondary', text: 'No reviews yet' });
  }
  return h('div', { class: 'rating small' },
    h('span', { class: 'stars', 'aria-hidden': 'true', text: stars(p.rating_avg) }),
    h('span', { class: 'visually-hidden', text: `Rated ${Number(p.rating_avg).toFixed(1)} out of 5` }),
    h('span', { class: 'ms-1 text-body-secondary', text: `${Number(p.rating_avg).toFixed(1)} (${p.rating_count})` }));
}

export function stockLine(p) {
  const n = Number(p.available) || 0;
  if (n <= 0) return h('span', { class: 'stock stock-out', text: 'Out of stock' });
  if (n <= 5) return h('span', { class: 'stock stock-low', text: `Only ${n} left` });
  return h('span', { class: 'stock stock-in', text: `${n} in stock` });
}

export function heartButton(productId, on, onChange) {
  const btn = h('button', {
    type: 'button',
    class: `btn btn-heart${on ? ' active' : ''}`,
    'aria-pressed': on ? 'true' : 'false',
    title: on ? 'Remove from wishlist' : 'Add to wishlist',
    'aria-label': on ? 'Remove from wishlist' : 'Add to wishlist',
  }, icon('heart'));
  btn.addEventListener('click', async () => {
    const next = btn.getAttribute('aria-pressed') !== 'true';
    btn.disabled = true;
    try {
      const ids = await setWishlisted(productId, next);
      if (!ids) return;
      const now = ids.has(productId);
      btn.classList.toggle('active', now);
      btn.setAttribute('aria-pressed', now ? 'true' : 'false');
      btn.title = now ? 'Remove from wishlist' : 'Add to wishlist';
      btn.setAttribute('aria-label', btn.title);
      toast(now ? 'Saved to your wishlist' : 'Removed from your wishlist', 'success', 2500);
      if (onChange) onChange(now, ids);
    } catch (e) {
      showError(e);
    } finally {
      btn.disabled = false;
    }
  });
  return btn;
}

/** A catalog card: image, name, brand · category, rating, price, stock, add to cart, wishlist. */
export function productCard(p, { wishlisted = false, col = 'col-6 col-md-4 col-xl-3', extraActions = null } = {}) {
  const url = productUrl(p.product_id);
  const soldOut = !(Number(p.available) > 0);
  const add = h('button', { type: 'button', class: 'btn btn-primary btn-sm flex-grow-1 add-to-cart', disabled: soldOut }, icon('cart', 'me-1'), soldOut ? 'Sold out' : 'Add to cart');
  add.addEventListener('click', async () => {
    add.disabled = true;
    try {
      await addToCart(p.product_id, 1, p.name);
    } catch (e) {
      showError(e);
    } finally {
      add.disabled = soldOut;
    }
  });
  return h('div', { class: col },
    h('article', { class: 'card product-card h-100', dataset: { productId: p.product_id } },
      h('a', { href: url, class: 'product-img-link', tabindex: '-1', 'aria-hidden': 'true' },
        h('img', { src: p.image_url || `/api/shop/products/${p.product_id}/image.svg`, alt: '', class: 'card-img-top product-img', loading: 'lazy', width: '320', height: '240' })),
      h('div', { class: 'card-body d-flex flex-column' },
        h('div', { class: 'small text-body-secondary text-truncate', text: [p.brand, p.category_l2].filter(Boolean).join(' · ') }),
        h('h3', { class: 'h6 card-title product-name' }, h('a', { href: url, class: 'stretched-link-off text-reset', text: p.name })),
        ratingLine(p),
        h('div', { class: 'mt-auto pt-2' },
          priceBlock(p),
          h('div', { class: 'small mt-1' }, stockLine(p)),
          h('div', { class: 'd-flex gap-2 mt-2' }, add, heartButton(p.product_id, wishlisted), extraActions)))));
}

// ------------------------------------------------------------------ order cancellation

export const CANCEL_REASONS = [
  'Ordered by mistake',
  'Found a better price elsewhere',
  'Delivery takes too long',
  'Changed my mind',
  'Need to change the delivery address',
  'Need to change the payment method',
  'Ordered the wrong size or colour',
  'Item no longer needed',
  'Want to add or remove items',
  'Other',
];

/** Asks for a reason and cancels the order; resolves with the OrderDetail, or null when dismissed. */
export function cancelOrder(orderId) {
  return modal(`Cancel order #${orderId}?`, (close) => {
    const radios = CANCEL_REASONS.map((r, i) => h('div', { class: 'form-check' },
      h('input', { class: 'form-check-input', type: 'radio', name: 'cancel-reason', id: `cr-${i}`, value: r }),
      h('label', { class: 'form-check-label', for: `cr-${i}`, text: r })));
    const other = h('input', { class: 'form-control form-control-sm mt-2 d-none', id: 'cancel-other', maxlength: '200', placeholder: 'Tell us more (optional)' });
    const err = h('div', { class: 'text-danger small mt-2', 'aria-live': 'polite' });
    const body = h('form', { id: 'cancel-form' },
      h('p', { class: 'small text-body-secondary', text: 'Why do you want to cancel? Paid orders are refunded to the original payment method.' }),
      radios, other, err);
    body.addEventListener('change', () => {
      const v = body.querySelector('input[name=cancel-reason]:checked');
      other.classList.toggle('d-none', !(v && v.value === 'Other'));
    });
    const ok = h('button', { type: 'button', class: 'btn btn-danger', id: 'cancel-confirm', text: 'Cancel order' });
    ok.addEventListener('click', async () => {
      const v = body.querySelector('input[name=cancel-reason]:checked');
      if (!v) {
        err.textContent = 'Choose a reason.';
        return;
      }
      const reason = v.value === 'Other' && other.value.trim() ? `Other: ${other.value.trim()}` : v.value;
      ok.disabled = true;
      try {
        const detail = await api.post(`/api/shop/orders/${orderId}/cancel`, { reason });
        toast(`Order #${orderId} was cancelled.`, 'success');
        close(detail);
      } catch (e) {
        err.textContent = e.message;
        ok.disabled = false;
      }
    });
    return {
      body,
      footer: [h('button', { type: 'button', class: 'btn btn-outline-secondary', text: 'Keep order', onClick: () => close(null) }), ok],
    };
  }).then((v) => v || null);
}
