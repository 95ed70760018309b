// Formatting helpers: money in the item's own currency, dates, ratios.

const moneyFormats = new Map();

/** `amount` in ISO 4217 `currency`, e.g. money(1234.5, 'INR') → "₹1,234.50". */
export function money(amount, currency) {
  if (amount === null || amount === undefined || Number.isNaN(Number(amount))) return '—';
  const cur = (currency || 'USD').toUpperCase();
  let f = moneyFormats.get(cur);
  if (!f) {
    try {
      f = new Intl.NumberFormat(undefined, { style: 'currency', currency: cur });
    } catch {
      f = { format: (x) => `${cur} ${Number(x).toFixed(2)}` };
    }
    moneyFormats.set(cur, f);
  }
  return f.format(Number(amount));
}

/** Compact money for dashboards: $1.2M, $12.3K, $950. */
export function moneyCompact(amount, currency = 'USD') {
  if (amount === null || amount === undefined || Number.isNaN(Number(amount))) return '—';
  const big = Math.abs(amount) >= 10000;
  return new Intl.NumberFormat(undefined, {
    style: 'currency',
    currency,
    notation: big ? 'compact' : 'standard',
    maximumFractionDigits: big ? 1 : 0,
  }).format(amount);
}

const intFormat = new Intl.NumberFormat();
export function int(n) {
  if (n === null || n === undefined) return '—';
  return intFormat.format(n);
}

/** A ratio 0–1 as a percentage, or "—" when null. */
export function pct(ratio, digits = 1) {
  if (ratio === null || ratio === undefined || Number.isNaN(Number(ratio))) return '—';
  return `${(Number(ratio) * 100).toFixed(digits)}%`;
}

const dtFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const tFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

export function dateTime(iso) {
  if (!iso) return '—';
  if (/^\d{4}-\d{2}-\d{2}$/.test(String(iso))) return date(iso);
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : dtFormat.format(d);
}

const sdtFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
/** Compact date and time for tables: "Nov 26, 19:33". */
export function shortDateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : sdtFormat.format(d);
}

export function date(iso) {
  if (!iso) return '—';
  // a bare date (YYYY-MM-DD) is a calendar day, not UTC midnight
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso));
  const d = m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : dFormat.format(d);
}

export function time(iso) {
  if (!iso) return '—';
  const d = iso instanceof Date ? iso : new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : tFormat.format(d);
}

/** "3 min ago" style relative time. */
export function ago(iso) {
  if (!iso) return '—';
  const secs = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (Number.isNaN(secs)) return String(iso);
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const abs = Math.abs(secs);
  if (abs < 60) return rtf.format(-secs, 'second');
  if (abs < 3600) return rtf.format(-Math.round(secs / 60), 'minute');
  if (abs < 86400) return rtf.format(-Math.round(secs / 3600), 'hour');
  return rtf.format(-Math.round(secs / 86400), 'day');
}

/** "★★★★☆" for a rating 0–5 (rounded to the nearest whole star). */
export function stars(rating) {
  const n = Math.max(0, Math.min(5, Math.round(Number(rating) || 0)));
  return '★'.repeat(n) + '☆'.repeat(5 - n);
}

/** Human label for an UPPER_SNAKE code: "PAYMENT_FAILED" → "Payment failed". */
export function label(code) {
  if (!code) return '';
  const s = String(code).replace(/_/g, ' ').toLowerCase();
  return (s.charAt(0).toUpperCase() + s.slice(1)).replace(/\b(otp|sla|upi|aov|usd|rfm|sku)\b/gi, (w) => w.toUpperCase());
}
