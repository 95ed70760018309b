// Admin shell: navbar, password sign-in card, logout, CSRF token (kept in sessionStorage;
// the gc_admin cookie itself is HttpOnly), and 401 handling for every admin page.

import { api, setCsrf } from '../lib/api.js';
import { h, $, mount, icon, showError, toast } from '../lib/dom.js';

const TOKEN_KEY = 'gc_admin_csrf';
const HINT_KEY = 'gc_admin_signed_in';
const PAGES = [
  ['dashboard', '/admin/', 'Dashboard', 'chart'],
  ['analytics', '/admin/analytics.html', 'Analytics', 'chart'],
  ['audit', '/admin/audit.html', 'Audit log', 'shield'],
  ['journey', '/admin/journey.html', 'Journeys', 'play'],
];

let page = null; // {active, render}
let cleanup = null;

function navbar(signedIn) {
  const links = PAGES.map(([key, href, text]) => h('li', { class: 'nav-item' },
    h('a', { class: `nav-link${key === page.active ? ' active' : ''}`, href, 'aria-current': key === page.active ? 'page' : null, text })));
  const logout = signedIn
    ? h('button', { type: 'button', class: 'btn btn-outline-light btn-sm', id: 'admin-logout', onClick: logoutNow }, icon('logout', 'me-1'), 'Logout')
    : null;
  return h('nav', { class: 'navbar navbar-expand-md navbar-dark sticky-top shadow-sm', 'aria-label': 'Admin' },
    h('div', { class: 'container-fluid px-lg-4' },
      h('a', { class: 'navbar-brand d-flex align-items-center gap-2', href: '/admin/' },
        h('img', { src: '/assets/img/favicon.svg', alt: '', width: '26', height: '26' }),
        h('span', { class: 'fw-semibold', text: 'GlobalCart 360' }),
        h('span', { class: 'badge text-bg-warning', text: 'Admin' })),
      h('button', { class: 'navbar-toggler', type: 'button', 'data-bs-toggle': 'collapse', 'data-bs-target': '#admin-nav', 'aria-controls': 'admin-nav', 'aria-expanded': 'false', 'aria-label': 'Toggle navigation' },
        h('span', { class: 'navbar-toggler-icon' })),
      h('div', { class: 'collapse navbar-collapse', id: 'admin-nav' },
        signedIn ? h('ul', { class: 'navbar-nav me-auto' }, links) : h('div', { class: 'me-auto' }),
        h('div', { class: 'd-flex gap-2 align-items-center' },
          h('a', { class: 'btn btn-link btn-sm text-white-50', href: '/shop/', text: 'Open the shop ↗' }),
          logout))));
}

function renderNav(signedIn) {
  mount($('#site-nav'), navbar(signedIn));
}

function forget() {
  sessionStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(HINT_KEY);
  setCsrf(null);
}

async function logoutNow() {
  try {
    await api.post('/api/admin/logout');
  } catch (e) {
    if (e.status !== 401) showError(e, 'Logout failed');
  }
  forget();
  if (cleanup) cleanup();
  cleanup = null;
  toast('Signed out.', 'success', 2500);
  showLogin();
}

function showLogin(message) {
  if (cleanup) cleanup();
  cleanup = null;
  renderNav(false);
  const pw = h('input', { class: 'form-control form-control-lg', type: 'password', id: 'admin-password', required: true, autocomplete: 'current-password', 'aria-describedby': 'admin-login-help' });
  const err = h('div', { class: `alert alert-danger small py-2${message ? '' : ' d-none'}`, role: 'alert', id: 'admin-login-error', text: message || '' });
  const btn = h('button', { class: 'btn btn-primary btn-lg w-100', type: 'submit', id: 'admin-login-submit', text: 'Sign in' });
  const form = h('form', { class: 'card admin-login mx-auto shadow-sm mt-5', id: 'admin-login', novalidate: true },
    h('div', { class: 'card-body p-4' },
      h('div', { class: 'text-center mb-3' },
        h('div', { class: 'empty-icon mb-2' }, icon('lock')),
        h('h1', { class: 'h4 mb-1', text: 'Admin console' }),
        h('p', { class: 'text-body-secondary small mb-0', id: 'admin-login-help', text: 'Sign in with the admin password (ADMIN_PASSWORD, or the one printed when the server first started).' })),
      h('label', { class: 'form-label', for: 'admin-password', text: 'Password' }),
      pw,
      h('div', { class: 'mt-3' }, err),
      btn));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.classList.add('d-none');
    if (!pw.value) {
      err.textContent = 'Enter the password.';
      err.classList.remove('d-none');
      return;
    }
    btn.disabled = true;
    try {
      const res = await api.post('/api/admin/login', { password: pw.value });
      sessionStorage.setItem(TOKEN_KEY, res.csrf_token);
      localStorage.setItem(HINT_KEY, '1');
      setCsrf(res.csrf_token);
      start();
    } catch (ex) {
      err.textContent = ex.message;
      err.classList.remove('d-none');
      btn.disabled = false;
      pw.select();
    }
  });
  mount($('#main'), form);
  setTimeout(() => pw.focus(), 30);
}

function start() {
  renderNav(true);
  mount($('#main'));
  cleanup = page.render($('#main')) || null;
}

/**
 * Call on any admin API error: a 401 (session expired or revoked) brings back the
 * login card and returns true; other errors return false.
 */
export function handleAuthError(e) {
  if (e && e.status === 401) {
    forget();
    showLogin('Your admin session has ended. Sign in again.');
    return true;
  }
  return false;
}

/**
 * Renders the admin shell; `render(main)` builds the page once signed in and may
 * return a cleanup function (called on logout).
 */
export async function initAdmin(active, render) {
  page = { active, render };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token && !localStorage.getItem(HINT_KEY)) {
    showLogin();
    return;
  }
  try {
    const s = await api.get('/api/admin/session');
    sessionStorage.setItem(TOKEN_KEY, s.csrf_token);
    setCsrf(s.csrf_token);
    start();
  } catch (e) {
    forget();
    showLogin(e.status === 401 ? null : e.message);
  }
}

/** Card with a header (title + optional controls) and a body. */
export function panel(title, controls, body, { id, cls = '' } = {}) {
  return h('section', { class: `card ${cls}`, id },
    h('div', { class: 'card-header d-flex flex-wrap justify-content-between align-items-center gap-2' },
      h('h2', { class: 'h6 mb-0', text: title }),
      controls ? h('div', { class: 'd-flex flex-wrap gap-2 align-items-center' }, controls) : null),
    h('div', { class: 'card-body' }, body));
}
