// Audit log: every status change of orders, payments, shipments and returns, newest first.
// The reason can be customer text (a cancel reason): it is shown with textContent only.

import { api } from '../lib/api.js';
import { h, $, mount, spinner, emptyState, errorState, statusBadge } from '../lib/dom.js';
import { dateTime, int, label } from '../lib/format.js';
import { initAdmin, handleAuthError, panel } from './common.js';

const PAGE = 100;
let offset = 0;

async function load() {
  const host = $('#audit-body');
  mount(host, spinner('Loading the audit log…'));
  try {
    const { items } = await api.get('/api/admin/audit', { limit: PAGE, offset });
    if (!items.length && offset === 0) {
      mount(host, emptyState('No audit entries yet', 'Status changes of orders, payments, shipments and returns appear here.', null, 'shield'));
      return;
    }
    const prev = h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', text: '‹ Newer', disabled: offset === 0, onClick: () => { offset = Math.max(0, offset - PAGE); load(); } });
    const next = h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', text: 'Older ›', disabled: items.length < PAGE, onClick: () => { offset += PAGE; load(); } });
    mount(host,
      h('div', { class: 'table-responsive' },
        h('table', { class: 'table table-hover table-admin align-middle mb-2', id: 'audit-table' },
          h('thead', {}, h('tr', {}, ['Time', 'Table', 'Key', 'Action', 'From', 'To', 'Reason', 'Actor'].map((t) => h('th', { text: t })))),
          h('tbody', {}, items.map((a) => h('tr', {},
            h('td', { text: dateTime(a.at) }),
            h('td', { text: label(a.table) }),
            h('td', { class: 'fw-semibold', text: String(a.key ?? '') }),
            h('td', { text: a.action || '' }),
            h('td', {}, a.from_status ? statusBadge(a.from_status) : h('span', { class: 'text-body-secondary', text: '—' })),
            h('td', {}, a.to_status ? statusBadge(a.to_status) : h('span', { class: 'text-body-secondary', text: '—' })),
            h('td', { class: 'wrap', text: a.reason || '' }),
            h('td', { text: a.actor || '' })))))),
      h('div', { class: 'd-flex justify-content-between align-items-center small' },
        h('span', { class: 'text-body-secondary', text: items.length ? `Entries ${int(offset + 1)}–${int(offset + items.length)}` : 'No more entries' }),
        h('div', { class: 'd-flex gap-2' }, prev, next)));
  } catch (e) {
    if (!handleAuthError(e)) mount(host, errorState(e, load));
  }
}

function render(main) {
  const refresh = h('button', { type: 'button', class: 'btn btn-sm btn-primary', id: 'audit-refresh', text: 'Refresh', onClick: () => { offset = 0; load(); } });
  mount(main,
    h('h1', { class: 'admin-title fw-bold mb-3', text: 'Audit log' }),
    panel('Status changes, newest first', refresh, h('div', { id: 'audit-body' })));
  offset = 0;
  load();
}

initAdmin('audit', render);
