// node --test web/tests/redirect.test.mjs — the ?next= check against the
// WHATWG URL parser (the one browsers use), with open-redirect variants.
import test from 'node:test';
import assert from 'node:assert/strict';
import { sameOriginPath } from '../assets/js/lib/redirect.js';

const ORIGIN = 'http://127.0.0.1:8000';
const go = (next) => sameOriginPath(next, ORIGIN, '/shop/', ['/shop/login.html']);

test('same-site paths pass with their query and fragment', () => {
  assert.equal(go('/shop/checkout.html'), '/shop/checkout.html');
  assert.equal(go('/shop/order.html?id=7#top'), '/shop/order.html?id=7#top');
  assert.equal(go('orders.html'), '/orders.html');
  // a scheme-relative path with the base's scheme stays on the base origin
  assert.equal(go('http:evil.example'), '/evil.example');
});

test('every way to another origin falls back to the shop', () => {
  for (const evil of [
    '//evil.example/x', '/\t/evil.example/x', '/%09/evil.example/x'.replace('%09', '\t'),
    '/\\evil.example', '\\\\evil.example', '/\n/evil.example', ' //evil.example',
    'https://evil.example/', 'javascript:alert(1)',
    'data:text/html,x', 'http://127.0.0.1:8001/shop/', 'HTTP://EVIL.example',
  ]) {
    assert.equal(go(evil), '/shop/', JSON.stringify(evil));
  }
});

test('the login page itself, empty and unparsable values fall back', () => {
  assert.equal(go('/shop/login.html?next=/x'), '/shop/');
  assert.equal(go(''), '/shop/');
  assert.equal(go(null), '/shop/');
  assert.equal(go('http://[::1'), '/shop/');
});
