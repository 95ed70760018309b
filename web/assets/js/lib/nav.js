// The shop's shell: session, navbar (one module for every page), footer, voice search,
// sign-in guard. Every shop page calls initShop() first.

import { api, setCsrf, ApiError } from './api.js';
import { h, icon, mount, toast, showError } from './dom.js';

let session = null;
const badges = { cart: null, cartMobile: null, wishlist: null };

/** The session from GET /api/shop/session (null when the API is unreachable). */
export function currentSession() {
  return session;
}

export async function loadSession() {
  session = await api.get('/api/shop/session');
  setCsrf(session.csrf_token);
  return session;
}

/** Re-reads the session (after sign-in/out) and refreshes the navbar counts. */
export async function refreshSession() {
  await loadSession();
  setCounts(session.cart_count, session.wishlist_count);
  return session;
}

export function setCounts(cartCount, wishlistCount) {
  if (cartCount !== undefined && cartCount !== null && badges.cart) {
    for (const b of [badges.cart, badges.cartMobile]) {
      b.textContent = String(cartCount);
      b.classList.toggle('d-none', !cartCount);
    }
    if (session) session.cart_count = cartCount;
  }
  if (wishlistCount !== undefined && wishlistCount !== null && badges.wishlist) {
    badges.wishlist.textContent = String(wishlistCount);
    badges.wishlist.classList.toggle('d-none', !wishlistCount);
    if (session) session.wishlist_count = wishlistCount;
  }
}

/** The login page URL that comes back to the current page afterwards. */
export function loginUrl(reason) {
  const next = location.pathname + location.search;
  const q = new URLSearchParams({ next });
  if (reason) q.set('reason', reason);
  return `/shop/login.html?${q}`;
}

/**
 * Loads the session and renders the navbar and footer.
 * options: active (nav key), requireAuth (redirect to login when signed out),
 * onSearch(q) (the home page filters in place instead of navigating).
 * Resolves with the session; never resolves when it redirects.
 */
export async function initShop({ active = '', requireAuth = false, onSearch = null, searchValue = '' } = {}) {
  try {
    await loadSession();
  } catch (e) {
    session = null;
    showError(e, 'Could not load your session');
  }
  if (requireAuth && !(session && session.customer)) {
    if (session) {
      location.replace(loginUrl('login_required'));
      return new Promise(() => {});
    }
  }
  renderNav(active, onSearch, searchValue);
  renderFooter();
  return session;
}

function navLink(href, text, key, active, extra) {
  const a = h('a', { class: `nav-link${key === active ? ' active' : ''}`, href }, text, extra || null);
  if (key === active) a.setAttribute('aria-current', 'page');
  return h('li', { class: 'nav-item' }, a);
}

function renderNav(active, onSearch, searchValue) {
  const host = document.getElementById('site-nav');
  if (!host) return;
  const customer = session && session.customer;

  badges.cart = h('span', { class: 'badge rounded-pill bg-warning text-dark ms-1 d-none', id: 'nav-cart-count' });
  badges.cartMobile = h('span', { class: 'badge rounded-pill bg-warning text-dark ms-1 d-none' });
  badges.wishlist = h('span', { class: 'badge rounded-pill bg-light text-dark ms-1 d-none', id: 'nav-wishlist-count' });

  const input = h('input', {
    class: 'form-control',
    type: 'search',
    id: 'search-q',
    name: 'q',
    placeholder: 'Search products, brands…',
    'aria-label': 'Search products',
    value: searchValue || '',
    maxlength: '200',
  });
  const mic = h('button', { class: 'btn btn-light d-none', type: 'button', id: 'voice-search', title: 'Search by voice', 'aria-label': 'Search by voice' }, icon('mic'));
  const form = h(
    'form',
    { class: 'd-flex flex-grow-1 mx-lg-4 my-2 my-lg-0 nav-search', role: 'search', id: 'search-form' },
    h('div', { class: 'input-group' },
      input,
      mic,
      h('button', { class: 'btn btn-warning', type: 'submit', 'aria-label': 'Search' }, icon('search'))),
  );
  const submit = (q) => {
    if (onSearch) onSearch(q);
    else location.href = `/shop/index.html${q ? `?q=${encodeURIComponent(q)}` : ''}`;
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit(input.value.trim());
  });
  setupVoiceSearch(mic, input, submit);

  const account = customer
    ? h('li', { class: 'nav-item dropdown' },
        h('a', { class: 'nav-link dropdown-toggle', href: '#', role: 'button', 'data-bs-toggle': 'dropdown', 'aria-expanded': 'false', id: 'nav-account' },
          icon('user', 'me-1'), customer.display_name || customer.email),
        h('ul', { class: 'dropdown-menu dropdown-menu-end' },
          h('li', {}, h('span', { class: 'dropdown-item-text small text-body-secondary', text: customer.email })),
          h('li', {}, h('hr', { class: 'dropdown-divider' })),
          h('li', {}, h('a', { class: 'dropdown-item', href: '/shop/orders.html', text: 'My orders' })),
          h('li', {}, h('a', { class: 'dropdown-item', href: '/shop/addresses.html', text: 'Addresses' })),
          h('li', {}, h('a', { class: 'dropdown-item', href: '/shop/wishlist.html', text: 'Wishlist' })),
          h('li', {}, h('hr', { class: 'dropdown-divider' })),
          h('li', {}, h('button', { class: 'dropdown-item', type: 'button', id: 'nav-signout', text: 'Sign out', onClick: signOut }))))
    : navLink(`/shop/login.html?next=${encodeURIComponent(location.pathname + location.search)}`, 'Sign in', 'login', active);

  const nav = h(
    'nav',
    { class: 'navbar navbar-expand-lg navbar-dark bg-brand sticky-top shadow-sm', 'aria-label': 'Main' },
    h('div', { class: 'container' },
      h('a', { class: 'navbar-brand d-flex align-items-center gap-2', href: '/shop/' },
        h('img', { src: '/assets/img/favicon.svg', alt: '', width: '28', height: '28' }),
        h('span', { class: 'fw-semibold' }, 'GlobalCart'),
        h('span', { class: 'brand-360' }, '360')),
      h('a', { class: 'nav-link text-white ms-auto me-3 d-lg-none', href: '/shop/cart.html', 'aria-label': 'Cart' }, icon('cart'), badges.cartMobile),
      h('button', { class: 'navbar-toggler', type: 'button', 'data-bs-toggle': 'collapse', 'data-bs-target': '#nav-collapse', 'aria-controls': 'nav-collapse', 'aria-expanded': 'false', 'aria-label': 'Toggle navigation' },
        h('span', { class: 'navbar-toggler-icon' })),
      h('div', { class: 'collapse navbar-collapse', id: 'nav-collapse' },
        form,
        h('ul', { class: 'navbar-nav ms-auto align-items-lg-center' },
          navLink('/shop/', 'Home', 'home', active),
          navLink('/shop/orders.html', 'Orders', 'orders', active),
          navLink('/shop/wishlist.html', 'Wishlist', 'wishlist', active, badges.wishlist),
          navLink('/shop/inbox.html', 'Inbox', 'inbox', active),
          account,
          h('li', { class: 'nav-item ms-lg-2' },
            h('a', { class: `nav-link nav-cart${active === 'cart' ? ' active' : ''}`, href: '/shop/cart.html', id: 'nav-cart' },
              icon('cart', 'me-1'), 'Cart', badges.cart))))),
  );
  mount(host, nav);
  if (session) setCounts(session.cart_count, session.wishlist_count);
}

async function signOut() {
  try {
    await api.post('/api/shop/auth/logout');
    await loadSession();
    location.href = '/shop/';
  } catch (e) {
    showError(e, 'Sign out failed');
  }
}

function renderFooter() {
  const host = document.getElementById('site-footer');
  if (!host) return;
  mount(
    host,
    h('footer', { class: 'site-footer mt-5 py-4' },
      h('div', { class: 'container d-flex flex-wrap justify-content-between gap-3 small' },
        h('div', {},
          h('strong', { text: 'GlobalCart 360' }),
          h('span', { class: 'ms-2 text-body-secondary', text: 'Fast delivery · Secure checkout · Easy returns' })),
        h('div', { class: 'd-flex gap-3' },
          h('a', { href: '/shop/orders.html', text: 'Orders' }),
          h('a', { href: '/shop/addresses.html', text: 'Addresses' }),
          h('a', { href: '/shop/inbox.html', text: 'Inbox' }),
          h('a', { href: '/admin/', text: 'Admin' })))),
  );
}

// ------------------------------------------------------------------ voice search

/**
 * Web Speech API voice search. The mic button stays hidden where the browser has no
 * SpeechRecognition; a recognised phrase fills the search box and submits it.
 */
export function setupVoiceSearch(button, input, submit) {
  const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  if (!Recognition) return;
  button.classList.remove('d-none');
  let rec = null;
  button.addEventListener('click', () => {
    if (rec) {
      rec.abort();
      return;
    }
    rec = new Recognition();
    rec.lang = navigator.language || 'en-US';
    rec.interimResults = true;
    rec.maxAlternatives = 1;
    button.classList.add('listening');
    button.setAttribute('aria-pressed', 'true');
    let finalText = '';
    rec.onresult = (ev) => {
      let text = '';
      for (const r of ev.results) {
        text += r[0].transcript;
        if (r.isFinal) finalText = text;
      }
      input.value = text.trim();
    };
    rec.onerror = (ev) => {
      const why = {
        'not-allowed': 'Microphone access was denied.',
        'no-speech': 'No speech was heard. Try again.',
        network: 'Voice recognition needs a network connection.',
        'audio-capture': 'No microphone was found.',
      }[ev.error];
      if (ev.error !== 'aborted') toast(why || `Voice search failed (${ev.error}).`, 'warning');
    };
    rec.onend = () => {
      button.classList.remove('listening');
      button.setAttribute('aria-pressed', 'false');
      rec = null;
      if (finalText.trim()) submit(finalText.trim());
    };
    try {
      rec.start();
      toast('Listening… say what you are looking for.', 'info', 3000);
    } catch (e) {
      rec = null;
      button.classList.remove('listening');
      toast(`Voice search is unavailable: ${e.message}`, 'warning');
    }
  });
}

export { ApiError };
