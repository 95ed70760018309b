// Product page: details, stock, quantity, add to cart, wishlist, related products,
// reviews and the review form (only for verified, delivered purchases).

import { api } from '../lib/api.js';
import { h, $, mount, icon, spinner, emptyState, errorState, showError, toast, param, busy } from '../lib/dom.js';
import { dateTime, stars } from '../lib/format.js';
import { initShop, loginUrl } from '../lib/nav.js';
import { addToCart, heartButton, priceBlock, productCard, stockLine, track, wishlistIds } from './shared.js';

const REVIEWS_PAGE = 10;
let session = null;
let product = null;
let reviewsOffset = 0;

function qtyControl(max) {
  const input = h('input', { type: 'number', class: 'form-control text-center', id: 'qty', min: '1', max: String(max), value: '1', inputmode: 'numeric', 'aria-label': 'Quantity' });
  const clamp = () => {
    let v = parseInt(input.value, 10);
    if (Number.isNaN(v)) v = 1;
    input.value = String(Math.max(1, Math.min(max, v)));
  };
  input.addEventListener('change', clamp);
  const step = (d) => () => {
    input.value = String((parseInt(input.value, 10) || 1) + d);
    clamp();
  };
  return {
    input,
    el: h('div', { class: 'input-group qty-group' },
      h('button', { class: 'btn btn-outline-secondary', type: 'button', 'aria-label': 'Decrease quantity', text: '−', onClick: step(-1) }),
      input,
      h('button', { class: 'btn btn-outline-secondary', type: 'button', 'aria-label': 'Increase quantity', text: '+', onClick: step(1) })),
  };
}

function renderProduct(p, wished) {
  const available = Number(p.available) || 0;
  const maxQty = Math.max(1, Math.min(20, available));
  const qty = qtyControl(maxQty);
  const add = h('button', { class: 'btn btn-primary btn-lg flex-grow-1', type: 'button', id: 'add-to-cart', disabled: available <= 0 }, icon('cart', 'me-2'), available > 0 ? 'Add to cart' : 'Out of stock');
  add.addEventListener('click', () => busy(add, async () => {
    try {
      await addToCart(p.product_id, parseInt(qty.input.value, 10) || 1, p.name);
    } catch (e) {
      showError(e);
    }
  }, 'Adding…'));

  document.title = `${p.name} · GlobalCart 360`;
  const crumbs = h('nav', { 'aria-label': 'breadcrumb' },
    h('ol', { class: 'breadcrumb small' },
      h('li', { class: 'breadcrumb-item' }, h('a', { href: '/shop/', text: 'Home' })),
      h('li', { class: 'breadcrumb-item' }, h('a', { href: `/shop/index.html?category_l1=${encodeURIComponent(p.category_l1)}`, text: p.category_l1 })),
      h('li', { class: 'breadcrumb-item' }, h('a', { href: `/shop/index.html?category_l1=${encodeURIComponent(p.category_l1)}&category_l2=${encodeURIComponent(p.category_l2)}`, text: p.category_l2 })),
      h('li', { class: 'breadcrumb-item active text-truncate', 'aria-current': 'page', text: p.name })));

  const rating = p.rating_count
    ? h('a', { href: '#reviews', class: 'rating-summary text-decoration-none' },
        h('span', { class: 'stars', 'aria-hidden': 'true', text: stars(p.rating_avg) }),
        h('span', { class: 'ms-2 fw-semibold', id: 'rating-summary', text: `${Number(p.rating_avg).toFixed(1)} / 5` }),
        h('span', { class: 'ms-1 text-body-secondary', text: `(${p.rating_count} review${p.rating_count === 1 ? '' : 's'})` }))
    : h('span', { class: 'text-body-secondary small', id: 'rating-summary', text: 'No reviews yet' });

  mount($('#product'),
    crumbs,
    h('div', { class: 'row g-4' },
      h('div', { class: 'col-md-6' },
        h('div', { class: 'card product-hero-img' }, h('img', { src: p.image_url, alt: p.name, class: 'img-fluid rounded', width: '640', height: '480' }))),
      h('div', { class: 'col-md-6' },
        h('div', { class: 'small text-body-secondary mb-1', text: `${p.brand} · SKU ${p.sku}` }),
        h('h1', { class: 'h3 fw-bold', id: 'product-name', text: p.name }),
        h('div', { class: 'mb-3' }, rating),
        priceBlock(p, true),
        h('div', { class: 'text-body-secondary small mb-3', text: 'Inclusive of all discounts; tax is added at checkout.' }),
        h('div', { class: 'mb-3 fw-semibold', id: 'stock' }, stockLine(p)),
        h('div', { class: 'd-flex flex-wrap gap-2 align-items-center mb-4' },
          h('label', { for: 'qty', class: 'visually-hidden', text: 'Quantity' }),
          qty.el, add, heartButton(p.product_id, wished.has(p.product_id))),
        h('ul', { class: 'list-unstyled small perks' },
          h('li', {}, icon('truck', 'me-2'), 'Ships in 1–3 business days'),
          h('li', {}, icon('refresh', 'me-2'), '30-day easy returns'),
          h('li', {}, icon('shield', 'me-2'), 'Secure checkout')),
        p.description ? h('div', { class: 'mt-3' }, h('h2', { class: 'h6', text: 'About this item' }), h('p', { class: 'text-body-secondary prewrap', text: p.description })) : null)));
}

function renderRelated(items, wished) {
  const host = $('#related');
  if (!items || !items.length) {
    mount(host);
    return;
  }
  mount(host,
    h('h2', { class: 'h5 mb-3', text: 'Related products' }),
    h('div', { class: 'row g-3' }, items.slice(0, 8).map((p) => productCard(p, { wishlisted: wished.has(p.product_id), col: 'col-6 col-md-4 col-lg-3' }))));
}

function reviewItem(r) {
  return h('article', { class: 'review border-bottom py-3' },
    h('div', { class: 'd-flex justify-content-between flex-wrap gap-2' },
      h('div', {},
        h('span', { class: 'stars me-2', 'aria-label': `${r.rating} out of 5`, text: stars(r.rating) }),
        h('strong', { text: r.title || '' })),
      h('small', { class: 'text-body-secondary', text: dateTime(r.created_at) })),
    h('div', { class: 'small text-body-secondary mb-1' }, 'by ', h('span', { text: r.author || 'A customer' }), h('span', { class: 'badge text-bg-success-subtle text-success-emphasis ms-2', text: 'Verified purchase' })),
    r.body ? h('p', { class: 'mb-0 prewrap', text: r.body }) : null);
}

async function loadReviews(reset) {
  const list = $('#review-list');
  const more = $('#review-more');
  if (reset) {
    reviewsOffset = 0;
    mount(list, spinner('Loading reviews…'));
  }
  try {
    const res = await api.get(`/api/shop/products/${product.product_id}/reviews`, { limit: REVIEWS_PAGE, offset: reviewsOffset });
    if (reset) mount(list);
    if (reset && !res.items.length) {
      mount(list, emptyState('No reviews yet', 'Customers who received this product can review it.', null, 'star'));
    }
    res.items.forEach((r) => list.appendChild(reviewItem(r)));
    reviewsOffset += res.items.length;
    more.classList.toggle('d-none', res.items.length < REVIEWS_PAGE || reviewsOffset >= (res.rating_count || 0));
    const top = $('#rating-summary');
    if (top && !top.closest('a') && res.rating_count && res.rating_avg !== null) {
      top.textContent = `${Number(res.rating_avg).toFixed(1)} / 5 · ${res.rating_count} review${res.rating_count === 1 ? '' : 's'}`;
    }
    $('#reviews-summary').textContent = res.rating_count
      ? `${Number(res.rating_avg).toFixed(1)} out of 5 · ${res.rating_count} review${res.rating_count === 1 ? '' : 's'}`
      : '';
  } catch (e) {
    mount(list, errorState(e, () => loadReviews(true)));
  }
}

function reviewForm() {
  let rating = 0;
  const starBtns = [1, 2, 3, 4, 5].map((n) => h('button', { type: 'button', class: 'btn btn-star', 'aria-label': `${n} star${n > 1 ? 's' : ''}`, text: '☆', onClick: () => setRating(n) }));
  function setRating(n) {
    rating = n;
    starBtns.forEach((b, i) => {
      b.textContent = i < n ? '★' : '☆';
      b.classList.toggle('on', i < n);
      b.setAttribute('aria-pressed', i < n ? 'true' : 'false');
    });
  }
  const title = h('input', { class: 'form-control', id: 'review-title', maxlength: '120', required: true, placeholder: 'Sum it up in a few words' });
  const body = h('textarea', { class: 'form-control', id: 'review-body', rows: '4', maxlength: '4000', placeholder: 'What did you like or dislike?' });
  const submit = h('button', { class: 'btn btn-primary', type: 'submit', text: 'Submit review' });
  const form = h('form', { class: 'card card-body mt-3', id: 'review-form', novalidate: true },
    h('h3', { class: 'h6', text: 'Write a review' }),
    h('div', { class: 'mb-2 star-input', role: 'group', 'aria-label': 'Your rating' }, starBtns),
    h('div', { class: 'mb-2' }, h('label', { class: 'form-label small', for: 'review-title', text: 'Title' }), title),
    h('div', { class: 'mb-3' }, h('label', { class: 'form-label small', for: 'review-body', text: 'Review' }), body),
    h('div', {}, submit));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!rating) return toast('Choose a rating from 1 to 5 stars.', 'warning');
    if (!title.value.trim()) return toast('Give your review a title.', 'warning');
    busy(submit, async () => {
      try {
        await api.post(`/api/shop/products/${product.product_id}/reviews`, { rating, title: title.value.trim(), body: body.value.trim() });
        toast('Thanks! Your review is published.', 'success');
        form.reset();
        setRating(0);
        loadReviews(true);
      } catch (err) {
        showError(err);
      }
    }, 'Submitting…');
  });
  return form;
}

async function renderEligibility() {
  const host = $('#review-eligibility');
  if (!session || !session.customer) {
    mount(host, h('p', { class: 'small text-body-secondary mt-3' }, h('a', { href: loginUrl(), text: 'Sign in' }), ' to review a product you have received.'));
    return;
  }
  try {
    const el = await api.get(`/api/shop/products/${product.product_id}/reviews/eligibility`);
    if (el.eligible) {
      mount(host, reviewForm());
      return;
    }
    const why = {
      NOT_PURCHASED: 'Only customers who bought this product can review it.',
      NOT_DELIVERED: 'You can review this product once your order is delivered.',
      NOT_SIGNED_IN: 'Sign in to review a product you have received.',
    }[el.reason] || 'You cannot review this product yet.';
    mount(host, h('p', { class: 'small text-body-secondary mt-3', text: why }));
  } catch (e) {
    mount(host, h('p', { class: 'small text-danger mt-3', text: `Could not check whether you can review: ${e.message}` }));
  }
}

async function main() {
  session = await initShop({ active: 'product' });
  const id = param('id');
  if (!id) {
    mount($('#product'), emptyState('No product selected', 'Pick a product from the catalog.', h('a', { class: 'btn btn-primary', href: '/shop/', text: 'Browse the catalog' })));
    return;
  }
  mount($('#product'), spinner('Loading product…'));
  let wished;
  try {
    [product, wished] = await Promise.all([api.get(`/api/shop/products/${encodeURIComponent(id)}`), wishlistIds()]);
  } catch (e) {
    if (e.status === 404) {
      mount($('#product'), emptyState('Product not found', 'It may have been removed from the catalog.', h('a', { class: 'btn btn-primary', href: '/shop/', text: 'Back to the catalog' })));
    } else {
      mount($('#product'), errorState(e, main));
    }
    return;
  }
  track('VIEW_PRODUCT', product.product_id);
  renderProduct(product, wished);
  renderRelated(product.related, wished);
  $('#reviews').classList.remove('d-none');
  $('#review-more').addEventListener('click', () => loadReviews(false));
  loadReviews(true);
  renderEligibility();
}

main();
