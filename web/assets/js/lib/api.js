// HTTP client for the GlobalCart API (docs/shop-api.md).
// Every call is same-origin with credentials; every state-changing call sends the
// CSRF token that the shop session or the admin login handed out.

let csrfToken = null;

/** Sets the CSRF token sent with POST/PUT/DELETE (shop session or admin login). */
export function setCsrf(token) {
  csrfToken = token || null;
}

export function getCsrf() {
  return csrfToken;
}

/** An error answered by the API: `{error: {status, message, details}}`, or a transport failure. */
export class ApiError extends Error {
  constructor(status, message, details) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.details = details || null;
  }
}

function withQuery(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

/**
 * Calls the API and returns the decoded JSON (null for 204).
 * Throws ApiError with the API's `error.message` on a non-2xx answer.
 */
export async function request(method, path, { body, query, signal } = {}) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', signal };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) {
    headers['X-CSRF-Token'] = csrfToken;
  }
  let res;
  try {
    res = await fetch(withQuery(path, query), init);
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'Cannot reach the server. Check your connection and try again.');
  }
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  let data = null;
  let text = '';
  if (type.includes('application/json')) {
    try {
      data = await res.json();
    } catch {
      data = null;
    }
  } else if (!res.ok && type.startsWith('text/plain')) {
    // a rejection answered before the API's JSON envelope (e.g. an undecodable body)
    text = (await res.text().catch(() => '')).trim().slice(0, 300);
  }
  if (!res.ok) {
    const err = data && data.error;
    const message = (err && err.message) || text || `${res.status} ${res.statusText || 'error'} (${method} ${path.split('?')[0]})`;
    throw new ApiError(res.status, message, err && err.details);
  }
  return data;
}

export const api = {
  get: (path, query, opts) => request('GET', path, { ...opts, query }),
  post: (path, body, opts) => request('POST', path, { ...opts, body: body === undefined ? {} : body }),
  put: (path, body, opts) => request('PUT', path, { ...opts, body: body === undefined ? {} : body }),
  del: (path, opts) => request('DELETE', path, opts),
};

/** A fresh UUID (crypto.randomUUID, with a getRandomValues fallback for old browsers). */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
