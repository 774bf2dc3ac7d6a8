/* qianbao web — calling the server: cookies carry the session, a header carries the CSRF token,
 * problem+json answers become ApiError, and Idem keeps one Idempotency-Key per user action. */

function cookie(name) {
  for (const part of document.cookie.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return '';
}

/** The double-submit CSRF token the server set in the `qb_csrf` cookie. */
export function csrf() { return cookie('qb_csrf'); }

export function uuid() {
  if (window.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
}

/** The error every failed call throws: the problem+json fields, plus `network` for no answer. */
export class ApiError extends Error {
  constructor(problem) {
    super(problem.detail || problem.code || 'error');
    Object.assign(this, problem);
  }
}

let running = 0;
/** Counts the calls in flight on `<html data-loading>`: the page's loading bar shows while any
 * runs (after a short delay, so quick calls and background polls do not flicker it). */
function inFlight(delta) {
  running += delta;
  document.documentElement.toggleAttribute('data-loading', running > 0);
}

/**
 * Calls the server. opts: {body (object → JSON), raw (Blob/File), contentType, idem (key),
 * query (object), quiet (a background poll: no loading bar), meta (an object the call fills with
 * the answer's `date` header and `receivedAt`, performance.now() when it came: the server's clock,
 * for a countdown to a time the server set)}. Answers the parsed JSON, or null for 204. Throws
 * ApiError.
 */
export async function api(method, path, opts) {
  opts = opts || {};
  if (opts.quiet) return call(method, path, opts);
  inFlight(1);
  try {
    return await call(method, path, opts);
  } finally {
    inFlight(-1);
  }
}

async function call(method, path, opts) {
  let url = path;
  if (opts.query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query)) {
      if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    }
    const s = q.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  const headers = { Accept: 'application/json, application/problem+json' };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrf();
  if (opts.idem) headers['Idempotency-Key'] = opts.idem;
  let body;
  if (opts.raw) {
    body = opts.raw;
    headers['Content-Type'] = opts.contentType || 'application/octet-stream';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(url, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    throw new ApiError({ status: 0, code: 'network', network: true, detail: String(e && e.message || e) });
  }
  if (opts.meta) {
    opts.meta.date = res.headers.get('Date');
    opts.meta.receivedAt = performance.now();
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch (_) { data = null; }
  }
  if (!res.ok) {
    const p = data && typeof data === 'object' ? data : {};
    if (!p.code) p.code = res.status === 401 ? 'unauthorized' : res.status === 404 ? 'not_found' : 'http_' + res.status;
    p.status = res.status;
    if (p.retry_after === undefined) {
      const ra = parseInt(res.headers.get('Retry-After') || '', 10);
      if (!Number.isNaN(ra)) p.retry_after = ra;
    }
    throw new ApiError(p);
  }
  return data;
}

/**
 * An Idempotency-Key for one user action: the same key while that action is retried after a
 * network failure (or while it is still running), a new one once the server has answered.
 */
export class Idem {
  constructor() { this.key = null; }
  get() { if (!this.key) this.key = uuid(); return this.key; }
  settle(err) {
    // A busy bank asks for the same call again under the same key (it is asked again once).
    if (err && (err.network || ['idempotency_in_progress', 'bank_unavailable', 'biller_unavailable'].includes(err.code))) return;
    this.key = null;
  }
  reset() { this.key = null; }
}
