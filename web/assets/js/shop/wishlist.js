// Wishlist: saved products with view, add to cart and remove.

import { api } from '../lib/api.js';
import { h, $, mount, spinner, emptyState, errorState, showError } from '../lib/dom.js';
import { initShop, setCounts } from '../lib/nav.js';
import { productCard } from './shared.js';

function render(items) {
  const host = $('#wishlist');
  setCounts(undefined, items.length);
  $('#wishlist-count').textContent = items.length ? `${items.length} saved item${items.length === 1 ? '' : 's'}` : '';
  if (!items.length) {
    mount(host, h('div', { class: 'card card-body' }, emptyState('Your wishlist is empty', 'Tap the heart on any product to save it for later.', h('a', { class: 'btn btn-primary', href: '/shop/', text: 'Browse the catalog' }), 'heart')));
    return;
  }
  mount(host, h('div', { class: 'row g-3' }, items.map((p) => {
    const remove = h('button', { type: 'button', class: 'btn btn-outline-danger btn-sm', title: 'Remove from wishlist', text: 'Remove' });
    remove.addEventListener('click', async () => {
      remove.disabled = true;
      try {
        render((await api.del(`/api/shop/wishlist/${p.product_id}`)).items);
      } catch (e) {
        showError(e);
        remove.disabled = false;
      }
    });
    const card = productCard(p, { wishlisted: true, col: 'col-6 col-md-4 col-lg-3' });
    // On this page the heart is replaced by an explicit Remove button.
    const heart = card.querySelector('.btn-heart');
    heart.replaceWith(remove);
    return card;
  })));
}

async function load() {
  mount($('#wishlist'), spinner('Loading your wishlist…'));
  try {
    render((await api.get('/api/shop/wishlist')).items);
  } catch (e) {
    mount($('#wishlist'), errorState(e, load));
  }
}

async function main() {
  await initShop({ active: 'wishlist', requireAuth: true });
  load();
}

main();
