// Sign up (name, email, password → emailed code → verify) and log in (password, or a
// one-time code). In demo mode a "Demo inbox" shows the emailed code. Honours ?next=.

import { api, setCsrf } from '../lib/api.js';
import { h, $, mount, icon, toast, param, busy } from '../lib/dom.js';
import { ago } from '../lib/format.js';
import { initShop, refreshSession } from '../lib/nav.js';
import { sameOriginPath } from '../lib/redirect.js';

const RESEND_SECS = 30;
const RULES = [
  // the server's policy (httpkit/src/password.rs::check_policy)
  ['len', 'At least 12 characters', (p) => [...p].length >= 12],
  ['lower', 'A lower-case letter', (p) => /\p{Ll}/u.test(p)],
  ['upper', 'An upper-case letter', (p) => /\p{Lu}/u.test(p)],
  ['digit', 'A digit', (p) => /[0-9]/.test(p)],
];

let session = null;
let demoPoll = null;

/** Where to go after signing in: ?next= when it stays on this site (lib/redirect.js). */
function nextUrl() {
  return sameOriginPath(param('next'), location.origin, '/shop/', ['/shop/login.html']);
}

async function signedIn(res) {
  setCsrf(res.csrf_token);
  const who = res.customer && (res.customer.display_name || res.customer.email);
  toast(`Welcome${who ? `, ${who}` : ''}!`, 'success', 2000);
  await refreshSession().catch(() => {});
  location.replace(nextUrl());
}

function alertBox(id) {
  return h('div', { id, class: 'alert d-none small py-2', role: 'alert' });
}

function showAlert(box, message, kind = 'danger') {
  box.className = `alert alert-${kind} small py-2`;
  box.textContent = message;
}

function hideAlert(box) {
  box.className = 'alert d-none small py-2';
  box.textContent = '';
}

function passwordInput(id, autocomplete) {
  const input = h('input', { class: 'form-control', type: 'password', id, required: true, autocomplete, maxlength: '200' });
  const toggle = h('button', { class: 'btn btn-outline-secondary', type: 'button', id: `${id}-toggle`, 'aria-label': 'Show password', 'aria-pressed': 'false' }, icon('eye', 'me-1'), h('span', { text: 'Show' }));
  toggle.addEventListener('click', () => {
    const show = input.type === 'password';
    input.type = show ? 'text' : 'password';
    toggle.lastChild.textContent = show ? 'Hide' : 'Show';
    toggle.setAttribute('aria-pressed', show ? 'true' : 'false');
    toggle.setAttribute('aria-label', show ? 'Hide password' : 'Show password');
  });
  return { input, el: h('div', { class: 'input-group' }, input, toggle) };
}

function field(labelText, control, id, help) {
  return h('div', { class: 'mb-3' }, h('label', { class: 'form-label', for: id, text: labelText }), control, help || null);
}

/** The code step shared by sign-up and code log-in. */
function codeStep({ prefix, email, resend, onBack, backText }) {
  const code = h('input', { class: 'form-control form-control-lg text-center code-input', id: `${prefix}-code`, inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '8', pattern: '[0-9]{4,8}', required: true, placeholder: '••••••' });
  const alert = alertBox(`${prefix}-code-alert`);
  const verify = h('button', { class: 'btn btn-primary w-100', type: 'submit', id: `${prefix}-verify`, text: 'Verify and continue' });
  const again = h('button', { class: 'btn btn-link btn-sm', type: 'button', id: `${prefix}-resend`, text: 'Resend code' });
  const back = h('button', { class: 'btn btn-link btn-sm', type: 'button', text: backText, onClick: onBack });
  let timer = null;
  const cooldown = () => {
    let left = RESEND_SECS;
    again.disabled = true;
    clearInterval(timer);
    const tick = () => {
      again.textContent = left > 0 ? `Resend code in ${left}s` : 'Resend code';
      if (left-- <= 0) {
        again.disabled = false;
        clearInterval(timer);
      }
    };
    tick();
    timer = setInterval(tick, 1000);
  };
  again.addEventListener('click', async () => {
    hideAlert(alert);
    try {
      await resend();
      showAlert(alert, `A new code was sent to ${email}.`, 'success');
      cooldown();
    } catch (e) {
      showAlert(alert, e.message);
    }
  });
  const form = h('form', { class: 'code-step', novalidate: true },
    h('p', { class: 'small' }, 'We sent a one-time code to ', h('strong', { text: email }), '. It expires in 10 minutes.'),
    field('Code', code, code.id),
    alert,
    verify,
    h('div', { class: 'd-flex justify-content-between mt-2' }, back, again));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const otp = code.value.trim();
    if (!/^\d{4,8}$/.test(otp)) {
      showAlert(alert, 'Enter the code from the email (digits only).');
      return;
    }
    hideAlert(alert);
    busy(verify, async () => {
      try {
        await signedIn(await api.post('/api/shop/auth/verify', { email, otp }));
      } catch (err) {
        let msg = err.message;
        if (err.status === 401 && err.details && err.details.attempts_left !== undefined) msg = `${err.message} (${err.details.attempts_left} attempt${err.details.attempts_left === 1 ? '' : 's'} left)`;
        if (err.status === 429) msg = `${err.message} Request a new code.`;
        if (err.status === 410) msg = `${err.message} Request a new code.`;
        showAlert(alert, msg);
        code.select();
      }
    }, 'Verifying…');
  });
  cooldown();
  setTimeout(() => code.focus(), 50);
  watchDemoInbox(email, code);
  return form;
}

// ------------------------------------------------------------------ sign up

function signupPanel(host) {
  const name = h('input', { class: 'form-control', id: 'su-name', required: true, maxlength: '80', autocomplete: 'name' });
  const email = h('input', { class: 'form-control', id: 'su-email', type: 'email', required: true, maxlength: '254', autocomplete: 'email' });
  const pw = passwordInput('su-password', 'new-password');
  const checks = RULES.map(([key, text]) => h('li', { class: 'rule', dataset: { rule: key } }, h('span', { class: 'rule-mark', 'aria-hidden': 'true', text: '○' }), h('span', { text })));
  const list = h('ul', { class: 'list-unstyled small rules mt-2 mb-0', id: 'su-rules', 'aria-live': 'polite' }, checks);
  const update = () => {
    const p = pw.input.value;
    let ok = true;
    RULES.forEach(([, , test], i) => {
      const pass = test(p);
      ok = ok && pass;
      checks[i].classList.toggle('ok', pass);
      checks[i].firstChild.textContent = pass ? '✓' : '○';
    });
    return ok;
  };
  pw.input.addEventListener('input', update);
  const alert = alertBox('su-alert');
  const send = h('button', { class: 'btn btn-primary w-100', type: 'submit', id: 'su-send', text: 'Create account — send me a code' });
  const form = h('form', { novalidate: true, id: 'signup-form' },
    field('Your name', name, 'su-name'),
    field('Email', email, 'su-email'),
    field('Password', pw.el, 'su-password', list),
    alert,
    send);

  const request = () => api.post('/api/shop/auth/otp', { email: email.value.trim(), purpose: 'signup', display_name: name.value.trim(), password: pw.input.value });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    hideAlert(alert);
    if (!name.value.trim()) return showAlert(alert, 'Enter your name.');
    if (!email.checkValidity() || !email.value.trim()) return showAlert(alert, 'Enter a valid email address.');
    if (!update()) return showAlert(alert, 'Choose a password that meets every rule below it.');
    busy(send, async () => {
      try {
        await request();
        mount(host, codeStep({
          prefix: 'su',
          email: email.value.trim(),
          resend: request,
          backText: '← Change details',
          onBack: () => mount(host, form),
        }));
      } catch (err) {
        showAlert(alert, err.message);
      }
    }, 'Sending code…');
  });
  mount(host, form);
}

// ------------------------------------------------------------------ log in

function loginPanel(host) {
  const email = h('input', { class: 'form-control', id: 'li-email', type: 'email', required: true, maxlength: '254', autocomplete: 'email' });
  const pw = passwordInput('li-password', 'current-password');
  const alert = alertBox('li-alert');
  const submit = h('button', { class: 'btn btn-primary w-100', type: 'submit', id: 'li-submit', text: 'Log in' });
  const useCode = h('button', { class: 'btn btn-link btn-sm', type: 'button', id: 'li-use-code', text: 'Use a code instead' });
  const form = h('form', { novalidate: true, id: 'login-form' },
    field('Email', email, 'li-email'),
    field('Password', pw.el, 'li-password'),
    alert,
    submit,
    h('div', { class: 'text-center mt-2' }, useCode));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    hideAlert(alert);
    if (!email.value.trim() || !email.checkValidity()) return showAlert(alert, 'Enter a valid email address.');
    if (!pw.input.value) return showAlert(alert, 'Enter your password.');
    busy(submit, async () => {
      try {
        await signedIn(await api.post('/api/shop/auth/login', { email: email.value.trim(), password: pw.input.value }));
      } catch (err) {
        showAlert(alert, err.message);
        form.classList.remove('shake');
        void form.offsetWidth;
        form.classList.add('shake');
      }
    }, 'Logging in…');
  });

  useCode.addEventListener('click', () => {
    const cEmail = h('input', { class: 'form-control', id: 'lc-email', type: 'email', required: true, maxlength: '254', autocomplete: 'email', value: email.value.trim() });
    const cAlert = alertBox('lc-alert');
    const send = h('button', { class: 'btn btn-primary w-100', type: 'submit', id: 'lc-send', text: 'Send me a code' });
    const back = h('button', { class: 'btn btn-link btn-sm', type: 'button', text: '← Back to password', onClick: () => mount(host, form) });
    const codeForm = h('form', { novalidate: true, id: 'code-login-form' },
      h('p', { class: 'small text-body-secondary', text: 'We will email you a one-time code to log in without your password.' }),
      field('Email', cEmail, 'lc-email'),
      cAlert,
      send,
      h('div', { class: 'text-center mt-2' }, back));
    const request = () => api.post('/api/shop/auth/otp', { email: cEmail.value.trim(), purpose: 'login' });
    codeForm.addEventListener('submit', (e) => {
      e.preventDefault();
      hideAlert(cAlert);
      if (!cEmail.value.trim() || !cEmail.checkValidity()) return showAlert(cAlert, 'Enter a valid email address.');
      busy(send, async () => {
        try {
          await request();
          mount(host, codeStep({ prefix: 'lc', email: cEmail.value.trim(), resend: request, backText: '← Back to password', onBack: () => mount(host, form) }));
        } catch (err) {
          showAlert(cAlert, err.message);
        }
      }, 'Sending code…');
    });
    mount(host, codeForm);
  });
  mount(host, form);
}

// ------------------------------------------------------------------ demo inbox

/** Demo mode only: polls GET /api/shop/demo/inbox for the code emailed to `email`. */
function watchDemoInbox(email, codeInput) {
  const box = $('#demo-inbox');
  if (!box || !session || !session.demo_mode) return;
  clearInterval(demoPoll);
  let polls = 0;
  const list = $('#demo-inbox-list');
  $('#demo-inbox-email').textContent = email;
  const refresh = async () => {
    polls += 1;
    try {
      const res = await api.get('/api/shop/demo/inbox', { email });
      const items = res.items || [];
      if (!items.length) {
        mount(list, h('p', { class: 'small text-body-secondary mb-0', text: 'No email yet… it arrives within a few seconds.' }));
        return;
      }
      mount(list, items.slice(0, 3).map((m, i) => {
        const match = /\b(\d{4,8})\b/.exec(`${m.subject} ${m.body}`);
        const use = match && i === 0
          ? h('button', { type: 'button', class: 'btn btn-sm btn-warning mt-2', text: 'Use this code', onClick: () => { codeInput.value = match[1]; codeInput.focus(); } })
          : null;
        return h('div', { class: `demo-mail${i ? ' older' : ''}` },
          h('div', { class: 'd-flex justify-content-between gap-2' },
            h('strong', { class: 'small', text: m.subject }),
            h('small', { class: 'text-body-secondary text-nowrap', text: ago(m.created_at) })),
          match ? h('div', { class: 'demo-code', dataset: { code: match[1] }, text: match[1] }) : null,
          h('div', { class: 'small prewrap text-body-secondary', text: m.body }),
          use);
      }));
      if (polls > 1 && /\b\d{4,8}\b/.test(list.textContent)) clearInterval(demoPoll);
    } catch (e) {
      mount(list, h('p', { class: 'small text-danger mb-0', text: `Could not read the demo inbox: ${e.message}` }));
      clearInterval(demoPoll);
    }
  };
  refresh();
  demoPoll = setInterval(() => {
    if (polls >= 20) clearInterval(demoPoll);
    else refresh();
  }, 1500);
  $('#demo-inbox-refresh').onclick = refresh;
}

// ------------------------------------------------------------------ page

function setTab(which) {
  for (const t of ['signup', 'login']) {
    const on = t === which;
    $(`#tab-${t}`).classList.toggle('active', on);
    $(`#tab-${t}`).setAttribute('aria-selected', on ? 'true' : 'false');
    $(`#panel-${t}`).classList.toggle('d-none', !on);
  }
}

async function main() {
  session = await initShop({ active: 'login' });
  const reason = param('reason');
  if (reason === 'login_required') {
    const n = $('#login-notice');
    n.textContent = 'Please sign in to continue.';
    n.classList.remove('d-none');
  }
  if (session && session.customer) {
    mount($('#auth-card-body'),
      h('div', { class: 'text-center py-3' },
        h('p', {}, 'You are signed in as ', h('strong', { text: session.customer.display_name || session.customer.email }), '.'),
        h('a', { class: 'btn btn-primary', href: nextUrl(), id: 'continue', text: 'Continue' })));
    return;
  }
  if (session && session.demo_mode) $('#demo-inbox').classList.remove('d-none');
  $('#tab-signup').addEventListener('click', () => setTab('signup'));
  $('#tab-login').addEventListener('click', () => setTab('login'));
  signupPanel($('#panel-signup'));
  loginPanel($('#panel-login'));
  setTab(param('tab') === 'signup' ? 'signup' : 'login');
}

main();
