// Address book: list, add, edit, delete, make default.

import { api } from '../lib/api.js';
import { h, $, mount, icon, spinner, emptyState, errorState, showError, toast, modal, confirmDialog } from '../lib/dom.js';
import { initShop } from '../lib/nav.js';
import { addressFields, addressBlock } from './address-form.js';

function editor(existing) {
  return modal(existing ? 'Edit address' : 'Add an address', (close) => {
    const f = addressFields('addr', existing || { is_default: false });
    const err = h('div', { class: 'text-danger small mt-2', 'aria-live': 'polite' });
    const save = h('button', { type: 'submit', class: 'btn btn-primary', form: 'address-form', text: 'Save address' });
    const form = h('form', { id: 'address-form', novalidate: true }, f.el, err);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!f.validate()) return;
      save.disabled = true;
      try {
        const body = f.value();
        const saved = existing
          ? await api.put(`/api/shop/addresses/${existing.address_id}`, { ...body, address_id: existing.address_id })
          : await api.post('/api/shop/addresses', body);
        close(saved);
      } catch (ex) {
        err.textContent = ex.message;
        save.disabled = false;
      }
    });
    return { body: form, footer: [h('button', { type: 'button', class: 'btn btn-outline-secondary', text: 'Cancel', onClick: () => close(null) }), save] };
  }, { size: 'modal-lg' });
}

function card(a) {
  const edit = h('button', { type: 'button', class: 'btn btn-sm btn-outline-primary', text: 'Edit', onClick: async () => { if (await editor(a)) { toast('Address saved.', 'success'); load(); } } });
  const del = h('button', { type: 'button', class: 'btn btn-sm btn-outline-danger', text: 'Delete' });
  del.addEventListener('click', async () => {
    if (!(await confirmDialog('Delete this address?', `${a.label || 'Address'}: ${a.line1}, ${a.city}`, { ok: 'Delete' }))) return;
    try {
      await api.del(`/api/shop/addresses/${a.address_id}`);
      toast('Address deleted.', 'success');
      load();
    } catch (e) {
      showError(e);
    }
  });
  const makeDefault = a.is_default ? null : h('button', { type: 'button', class: 'btn btn-sm btn-link', text: 'Make default' });
  if (makeDefault) {
    makeDefault.addEventListener('click', async () => {
      makeDefault.disabled = true;
      try {
        await api.put(`/api/shop/addresses/${a.address_id}`, { ...a, is_default: true });
        load();
      } catch (e) {
        showError(e);
        makeDefault.disabled = false;
      }
    });
  }
  return h('div', { class: 'col-md-6 col-lg-4' },
    h('div', { class: `card h-100 address-card${a.is_default ? ' border-primary' : ''}` },
      h('div', { class: 'card-body' },
        h('div', { class: 'd-flex gap-2 mb-2' },
          h('span', { class: 'badge text-bg-light border', text: a.label || 'Address' }),
          a.is_default ? h('span', { class: 'badge text-bg-primary', text: 'Default' }) : null),
        addressBlock(a)),
      h('div', { class: 'card-footer bg-transparent d-flex gap-2' }, edit, del, makeDefault)));
}

async function load() {
  const host = $('#addresses');
  mount(host, spinner('Loading your addresses…'));
  try {
    const { items } = await api.get('/api/shop/addresses');
    if (!items.length) {
      mount(host, h('div', { class: 'card card-body' }, emptyState('No saved addresses', 'Add one now, or save one when you check out.', null, 'pin')));
      return;
    }
    mount(host, h('div', { class: 'row g-3' }, items.map(card)));
  } catch (e) {
    mount(host, errorState(e, load));
  }
}

async function main() {
  await initShop({ active: 'addresses', requireAuth: true });
  const add = $('#address-add');
  add.prepend(icon('pin', 'me-1'));
  add.disabled = false;
  add.addEventListener('click', async () => {
    if (await editor(null)) {
      toast('Address added.', 'success');
      load();
    }
  });
  load();
}

main();
