// Redirect targets taken from the address bar (?next=) must stay on this site.

/**
 * The same-origin path `next` resolves to, or `fallback`. The browser's own
 * URL parser decides (it strips tabs and newlines and reads `\` as `/`, so a
 * string check misses `/\t/host`, `/\host`, `\\host`…); only http(s) URLs of
 * `origin` pass, and never a path starting with one of `refuse` (the login page
 * itself, which would loop).
 */
export function sameOriginPath(next, origin, fallback, refuse = []) {
  if (!next) return fallback;
  let url;
  try {
    url = new URL(next, origin);
  } catch (_) {
    return fallback;
  }
  if (url.origin !== new URL(origin).origin || !/^https?:$/.test(url.protocol)) return fallback;
  if (refuse.some((p) => url.pathname.startsWith(p))) return fallback;
  return url.pathname + url.search + url.hash;
}
