// Home and catalog: hero, server-side filters (GET /api/shop/products), sort, pagination.
// The filter state lives in the URL query, so a filtered page can be shared or reloaded.

import { api } from '../lib/api.js';
import { h, $, mount, icon, skeletonCards, emptyState, errorState, showError } from '../lib/dom.js';
import { int } from '../lib/format.js';
import { initShop } from '../lib/nav.js';
import { productCard, wishlistIds } from './shared.js';

const KEYS = ['q', 'category_l1', 'category_l2', 'brand', 'min_price', 'max_price', 'min_rating', 'sort', 'page'];
const PER_PAGE = 24;
const SORTS = [
  ['relevance', 'Relevance'],
  ['best_sellers', 'Best sellers'],
  ['price_asc', 'Price: low to high'],
  ['price_desc', 'Price: high to low'],
  ['rating', 'Top rated'],
  ['newest', 'Newest'],
];

let state = readState();
let facets = { categories: [], brands: [], price_min: null, price_max: null };
let wished = new Set();
let inflight = null;

function readState() {
  const p = new URLSearchParams(location.search);
  const s = {};
  for (const k of KEYS) {
    const v = p.get(k);
    if (v !== null && v !== '') s[k] = v;
  }
  return s;
}

function writeState(push = true) {
  const p = new URLSearchParams();
  for (const k of KEYS) {
    if (state[k] !== undefined && state[k] !== '' && !(k === 'page' && String(state[k]) === '1')) p.set(k, state[k]);
  }
  const url = `${location.pathname}${p.toString() ? `?${p}` : ''}`;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

function setFilter(changes) {
  state = { ...state, ...changes };
  for (const [k, v] of Object.entries(state)) if (v === '' || v === null || v === undefined) delete state[k];
  if (!('page' in changes)) delete state.page;
  writeState();
  syncForm();
  load();
}

// ------------------------------------------------------------------ filters

function option(value, text, selected) {
  return h('option', { value, selected: selected || false }, text);
}

function fillSelect(select, items, current, anyText) {
  mount(select, option('', anyText, !current), items.map((v) => option(v, v, v === current)));
  if (current && !items.includes(current)) select.appendChild(option(current, current, true));
}

function l2Options() {
  const cat = facets.categories.find((c) => c.category_l1 === state.category_l1);
  if (cat) return cat.subcategories;
  return [...new Set(facets.categories.flatMap((c) => c.subcategories))].sort();
}

function syncForm() {
  fillSelect($('#f-l1'), facets.categories.map((c) => c.category_l1), state.category_l1, 'All categories');
  fillSelect($('#f-l2'), l2Options(), state.category_l2, 'All subcategories');
  fillSelect($('#f-brand'), facets.brands, state.brand, 'All brands');
  $('#f-min').value = state.min_price || '';
  $('#f-max').value = state.max_price || '';
  $('#f-rating').value = state.min_rating || '';
  $('#f-sort').value = state.sort || 'relevance';
  const q = $('#search-q');
  if (q && document.activeElement !== q) q.value = state.q || '';
  if (facets.price_min !== null && facets.price_min !== undefined) {
    $('#f-min').placeholder = `Min (${Math.floor(facets.price_min)})`;
    $('#f-max').placeholder = `Max (${Math.ceil(facets.price_max)})`;
  }
}

function buildFilters() {
  const l1 = h('select', { class: 'form-select form-select-sm', id: 'f-l1', 'aria-label': 'Category' });
  const l2 = h('select', { class: 'form-select form-select-sm', id: 'f-l2', 'aria-label': 'Subcategory' });
  const brand = h('select', { class: 'form-select form-select-sm', id: 'f-brand', 'aria-label': 'Brand' });
  const min = h('input', { class: 'form-control form-control-sm', id: 'f-min', type: 'number', min: '0', step: 'any', placeholder: 'Min', 'aria-label': 'Minimum price' });
  const max = h('input', { class: 'form-control form-control-sm', id: 'f-max', type: 'number', min: '0', step: 'any', placeholder: 'Max', 'aria-label': 'Maximum price' });
  const rating = h('select', { class: 'form-select form-select-sm', id: 'f-rating', 'aria-label': 'Minimum rating' },
    option('', 'Any rating'), option('4', '★★★★ & up'), option('3', '★★★ & up'), option('2', '★★ & up'), option('1', '★ & up'));

  l1.addEventListener('change', () => setFilter({ category_l1: l1.value, category_l2: '' }));
  l2.addEventListener('change', () => setFilter({ category_l2: l2.value }));
  brand.addEventListener('change', () => setFilter({ brand: brand.value }));
  rating.addEventListener('change', () => setFilter({ min_rating: rating.value }));
  const price = () => {
    const lo = min.value === '' ? '' : String(Math.max(0, Number(min.value)));
    const hi = max.value === '' ? '' : String(Math.max(0, Number(max.value)));
    if (lo !== '' && hi !== '' && Number(lo) > Number(hi)) {
      showError(new Error('The minimum price is above the maximum price.'));
      return;
    }
    if (lo !== (state.min_price || '') || hi !== (state.max_price || '')) setFilter({ min_price: lo, max_price: hi });
  };
  min.addEventListener('change', price);
  max.addEventListener('change', price);

  const field = (labelText, control) => h('div', { class: 'mb-3' }, h('label', { class: 'form-label small fw-semibold', for: control.id, text: labelText }), control);
  return h('form', { class: 'filters card card-body', id: 'filters', onSubmit: (e) => { e.preventDefault(); price(); } },
    h('div', { class: 'd-flex justify-content-between align-items-center mb-3' },
      h('h2', { class: 'h6 mb-0', text: 'Filters' }),
      h('button', { type: 'button', class: 'btn btn-link btn-sm p-0', id: 'f-clear', text: 'Clear all', onClick: () => {
        state = state.q ? { q: state.q } : {};
        writeState();
        syncForm();
        load();
      } })),
    field('Category', l1),
    field('Subcategory', l2),
    field('Brand', brand),
    h('div', { class: 'mb-3' },
      h('span', { class: 'form-label small fw-semibold d-block', text: 'Price' }),
      h('div', { class: 'd-flex gap-2 align-items-center' }, min, h('span', { text: '–' }), max)),
    field('Rating', rating),
    h('button', { type: 'submit', class: 'visually-hidden', tabindex: '-1', text: 'Apply' }));
}

// ------------------------------------------------------------------ results

function chips() {
  const list = [];
  const named = { q: 'Search', category_l1: 'Category', category_l2: 'Subcategory', brand: 'Brand', min_price: 'Min price', max_price: 'Max price', min_rating: 'Rating ≥' };
  for (const [k, name] of Object.entries(named)) {
    if (!state[k]) continue;
    list.push(h('button', { type: 'button', class: 'btn btn-sm btn-chip', title: `Remove ${name}`, onClick: () => setFilter(k === 'category_l1' ? { category_l1: '', category_l2: '' } : { [k]: '' }) },
      `${name}: ${state[k]}`, h('span', { class: 'ms-1', 'aria-hidden': 'true', text: '×' })));
  }
  return list;
}

function pagination(total, page) {
  const pages = Math.max(1, Math.ceil(total / PER_PAGE));
  if (pages <= 1) return null;
  const item = (p, text, disabled, active) => h('li', { class: `page-item${disabled ? ' disabled' : ''}${active ? ' active' : ''}` },
    h('button', { type: 'button', class: 'page-link', disabled, 'aria-current': active ? 'page' : null, onClick: () => { setFilter({ page: String(p) }); window.scrollTo({ top: 0, behavior: 'smooth' }); } }, text));
  const nums = new Set([1, pages, page - 1, page, page + 1].filter((p) => p >= 1 && p <= pages));
  const sorted = [...nums].sort((a, b) => a - b);
  const items = [item(page - 1, '‹ Prev', page <= 1)];
  let last = 0;
  for (const p of sorted) {
    if (p - last > 1) items.push(h('li', { class: 'page-item disabled' }, h('span', { class: 'page-link', text: '…' })));
    items.push(item(p, String(p), false, p === page));
    last = p;
  }
  items.push(item(page + 1, 'Next ›', page >= pages));
  return h('nav', { 'aria-label': 'Result pages', class: 'mt-4' }, h('ul', { class: 'pagination justify-content-center flex-wrap' }, items));
}

async function load() {
  const grid = $('#grid');
  const info = $('#result-info');
  const pager = $('#pager');
  mount(grid, skeletonCards(8));
  mount(pager);
  info.textContent = 'Loading products…';
  mount($('#chips'), chips());
  $('#hero').classList.toggle('d-none', Object.keys(state).some((k) => k !== 'sort'));

  if (inflight) inflight.abort();
  const ctl = new AbortController();
  inflight = ctl;
  const page = Math.max(1, parseInt(state.page || '1', 10) || 1);
  const query = { ...state, page, per_page: PER_PAGE };
  if (!query.sort) query.sort = 'relevance';
  try {
    const res = await api.get('/api/shop/products', query, { signal: ctl.signal });
    if (ctl !== inflight) return;
    info.textContent = res.total === 0
      ? 'No products found'
      : `${int((page - 1) * PER_PAGE + 1)}–${int(Math.min(res.total, page * PER_PAGE))} of ${int(res.total)} products${state.q ? ` for “${state.q}”` : ''}`;
    if (!res.items.length) {
      mount(grid, h('div', { class: 'col-12' }, emptyState('No products match these filters', 'Try a different search or remove a filter.',
        h('button', { type: 'button', class: 'btn btn-outline-primary', text: 'Clear all filters', onClick: () => { state = {}; writeState(); syncForm(); load(); } }), 'search')));
      return;
    }
    mount(grid, res.items.map((p) => productCard(p, { wishlisted: wished.has(p.product_id) })));
    mount(pager, pagination(res.total, page));
  } catch (e) {
    if (e.name === 'AbortError') return;
    info.textContent = '';
    mount(grid, h('div', { class: 'col-12' }, errorState(e, load)));
  }
}

function buildPage() {
  const sort = h('select', { class: 'form-select form-select-sm w-auto', id: 'f-sort', 'aria-label': 'Sort by' }, SORTS.map(([v, t]) => option(v, t)));
  sort.addEventListener('change', () => setFilter({ sort: sort.value === 'relevance' ? '' : sort.value }));
  const filters = buildFilters();
  mount($('#main'),
    h('section', { id: 'hero', class: 'hero rounded-4 p-4 p-md-5 mb-4' },
      h('div', { class: 'row align-items-center g-4' },
        h('div', { class: 'col-md-8' },
          h('p', { class: 'text-uppercase small fw-semibold hero-kicker mb-2', text: 'GlobalCart 360 shop' }),
          h('h1', { class: 'display-6 fw-bold', text: 'Everything you love, delivered worldwide.' }),
          h('p', { class: 'lead mb-3', text: 'Thousands of products across electronics, fashion, home and more — search by name, brand or category, or just say it with voice search.' }),
          h('div', { class: 'd-flex flex-wrap gap-2' },
            h('span', { class: 'badge hero-badge' }, icon('truck', 'me-1'), 'Fast delivery'),
            h('span', { class: 'badge hero-badge' }, icon('shield', 'me-1'), 'Secure checkout'),
            h('span', { class: 'badge hero-badge' }, icon('refresh', 'me-1'), 'Easy returns'))),
        h('div', { class: 'col-md-4 d-none d-md-flex justify-content-center' },
          h('img', { src: '/assets/img/hero.svg', alt: '', class: 'hero-art', width: '220', height: '180' })))),
    h('div', { class: 'row g-4' },
      h('aside', { class: 'col-lg-3' },
        h('button', { class: 'btn btn-outline-secondary w-100 d-lg-none mb-2', type: 'button', 'data-bs-toggle': 'collapse', 'data-bs-target': '#filters-wrap', 'aria-expanded': 'false', 'aria-controls': 'filters-wrap', text: 'Show filters' }),
        h('div', { class: 'collapse d-lg-block', id: 'filters-wrap' }, filters)),
      h('section', { class: 'col-lg-9', 'aria-labelledby': 'result-info' },
        h('div', { class: 'd-flex flex-wrap justify-content-between align-items-center gap-2 mb-2' },
          h('h2', { class: 'h6 mb-0 text-body-secondary', id: 'result-info', 'aria-live': 'polite' }),
          h('div', { class: 'd-flex align-items-center gap-2' }, h('label', { for: 'f-sort', class: 'small text-body-secondary text-nowrap', text: 'Sort by' }), sort)),
        h('div', { id: 'chips', class: 'd-flex flex-wrap gap-2 mb-3' }),
        h('div', { id: 'grid', class: 'row g-3' }),
        h('div', { id: 'pager' }))));
}

async function main() {
  await initShop({ active: 'home', searchValue: state.q || '', onSearch: (q) => setFilter({ q }) });
  buildPage();
  syncForm();
  window.addEventListener('popstate', () => {
    state = readState();
    syncForm();
    load();
  });
  const [f, w] = await Promise.all([
    api.get('/api/shop/facets').catch((e) => {
      showError(e, 'Could not load the filters');
      return null;
    }),
    wishlistIds(),
  ]);
  if (f) facets = f;
  wished = w;
  syncForm();
  load();
}

main();
