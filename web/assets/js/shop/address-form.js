// The address form (checkout's new address, the address book's add/edit) and its card.

import { h } from '../lib/dom.js';

export const COUNTRIES = ['India', 'United States', 'Canada', 'United Kingdom', 'Germany', 'France', 'Singapore', 'Australia', 'Japan', 'Brazil'];

// Checked in JS (pattern attributes are compiled with the v flag, where ( ) - need escapes).
const CHECKS = {
  phone: /^\+?[0-9][0-9 ()-]{4,19}$/,
  postal_code: /^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$/,
};

const FIELDS = [
  // name, label, column class, attributes
  ['label', 'Label', 'col-sm-4', { list: 'address-labels', maxlength: '40', placeholder: 'Home, Work…' }],
  ['recipient_name', 'Recipient name', 'col-sm-8', { required: true, maxlength: '120', autocomplete: 'name' }],
  ['phone', 'Phone', 'col-sm-6', { required: true, type: 'tel', autocomplete: 'tel', maxlength: '20', placeholder: '+91 98765 43210' }],
  ['line1', 'Address line 1', 'col-12', { required: true, maxlength: '200', autocomplete: 'address-line1' }],
  ['line2', 'Address line 2 (optional)', 'col-12', { maxlength: '200', autocomplete: 'address-line2' }],
  ['city', 'City', 'col-sm-6', { required: true, maxlength: '100', autocomplete: 'address-level2' }],
  ['state', 'State / region', 'col-sm-6', { maxlength: '100', autocomplete: 'address-level1' }],
  ['postal_code', 'Postal code', 'col-sm-5', { required: true, maxlength: '12', autocomplete: 'postal-code' }],
];

/**
 * Builds the fields of an address; `prefix` keeps ids unique on a page.
 * Returns {el, value(), validate(), fill(address)}.
 */
export function addressFields(prefix, initial = {}) {
  const inputs = {};
  const cols = FIELDS.map(([name, text, col, attrs]) => {
    const id = `${prefix}-${name}`;
    const input = h('input', { class: 'form-control', id, name, type: attrs.type || 'text', ...attrs, value: initial[name] || '' });
    inputs[name] = input;
    return h('div', { class: col },
      h('label', { class: 'form-label small', for: id, text: text }),
      input,
      h('div', { class: 'invalid-feedback', text: attrs.required ? `Enter the ${text.toLowerCase()}${name === 'phone' ? ' (digits, spaces, + - ( ); 5–20 characters)' : ''}.` : `Check the ${text.toLowerCase()}.` }));
  });
  const country = h('select', { class: 'form-select', id: `${prefix}-country`, name: 'country', required: true, autocomplete: 'country-name' },
    COUNTRIES.map((c) => h('option', { value: c, text: c })));
  country.value = initial.country && COUNTRIES.includes(initial.country) ? initial.country : 'India';
  if (initial.country && !COUNTRIES.includes(initial.country)) {
    country.appendChild(h('option', { value: initial.country, text: initial.country }));
    country.value = initial.country;
  }
  inputs.country = country;
  const isDefault = h('input', { class: 'form-check-input', type: 'checkbox', id: `${prefix}-default`, checked: Boolean(initial.is_default) });
  const el = h('div', { class: 'row g-3' },
    cols,
    h('div', { class: 'col-sm-7' }, h('label', { class: 'form-label small', for: country.id, text: 'Country' }), country),
    h('datalist', { id: 'address-labels' }, ['Home', 'Work', 'Other'].map((v) => h('option', { value: v }))),
    h('div', { class: 'col-12 default-wrap' },
      h('div', { class: 'form-check' }, isDefault, h('label', { class: 'form-check-label', for: isDefault.id, text: 'Make this my default address' }))));

  return {
    el,
    defaultBox: isDefault,
    value() {
      const a = {};
      for (const [k, input] of Object.entries(inputs)) a[k] = input.value.trim();
      if (!a.label) a.label = 'Home';
      a.is_default = isDefault.checked;
      return a;
    },
    validate() {
      let ok = true;
      for (const input of Object.values(inputs)) {
        const check = CHECKS[input.name];
        const v = input.value.trim();
        const valid = input.checkValidity() && !(input.required && !v) && (!check || !v || check.test(v));
        input.classList.toggle('is-invalid', !valid);
        if (!valid && ok) {
          input.focus();
          ok = false;
        }
      }
      return ok;
    },
  };
}

/** The text lines of an address (for cards and summaries). */
export function addressLines(a) {
  if (!a) return [];
  return [
    a.recipient_name,
    a.line1,
    a.line2,
    [a.city, a.state, a.postal_code].filter(Boolean).join(', '),
    a.country,
    a.phone ? `Phone: ${a.phone}` : null,
  ].filter(Boolean);
}

export function addressBlock(a) {
  return h('address', { class: 'mb-0 small' }, addressLines(a).map((l, i) => [i ? h('br') : null, l]));
}

/** One-line label for a dropdown. */
export function addressOption(a) {
  return `${a.label || 'Address'} — ${a.recipient_name}, ${a.line1}, ${a.city}${a.is_default ? ' (default)' : ''}`;
}
