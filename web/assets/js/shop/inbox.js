// Inbox: the emails the shop sent this customer (order confirmations, codes…), newest first.

import { api } from '../lib/api.js';
import { h, $, mount, icon, spinner, emptyState, errorState, statusBadge } from '../lib/dom.js';
import { dateTime, ago, label } from '../lib/format.js';
import { initShop } from '../lib/nav.js';

function mail(m, i) {
  const bodyId = `mail-body-${i}`;
  const toggle = h('button', { type: 'button', class: 'mail-head btn text-start w-100 p-3', 'aria-expanded': i === 0 ? 'true' : 'false', 'aria-controls': bodyId },
    h('div', { class: 'd-flex justify-content-between gap-2' },
      h('span', { class: 'fw-semibold text-truncate', text: m.subject }),
      h('small', { class: 'text-body-secondary text-nowrap', title: dateTime(m.created_at), text: ago(m.created_at) })),
    h('div', { class: 'd-flex gap-2 mt-1' },
      h('span', { class: 'badge text-bg-light border', text: label(m.kind) }),
      statusBadge(m.status)));
  const body = h('div', { class: `mail-body px-3 pb-3${i === 0 ? '' : ' d-none'}`, id: bodyId },
    h('div', { class: 'small text-body-secondary mb-2', text: dateTime(m.created_at) }),
    h('div', { class: 'prewrap', text: m.body }));
  toggle.addEventListener('click', () => {
    const open = body.classList.toggle('d-none') === false;
    toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
  });
  return h('li', { class: 'list-group-item p-0 mail' }, toggle, body);
}

async function load() {
  const host = $('#inbox');
  mount(host, spinner('Loading your inbox…'));
  try {
    const res = await api.get('/api/shop/inbox');
    if (!res.items.length) {
      mount(host, h('div', { class: 'card card-body' }, emptyState('No messages yet', 'Order confirmations, shipping updates and sign-in codes appear here.', null, 'mail')));
      return;
    }
    mount(host, h('ul', { class: 'list-group shadow-sm' }, res.items.map(mail)));
  } catch (e) {
    mount(host, errorState(e, load));
  }
}

async function main() {
  await initShop({ active: 'inbox', requireAuth: true });
  $('#inbox-refresh').prepend(icon('refresh', 'me-1'));
  $('#inbox-refresh').disabled = false;
  $('#inbox-refresh').addEventListener('click', load);
  load();
}

main();
