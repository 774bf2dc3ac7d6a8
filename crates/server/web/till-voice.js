/* qianbao web, merchant's till — the "到账" announcement: when the shop's toggle is on (kept in
 * localStorage.qb_till_voice), a payment that arrives is spoken with the browser's own speech
 * synthesis, as a shop's counter speaker says "钱包到账 12.50 元". Every utterance is also pushed
 * to window.__qbSpoken, so a test can read what would have been said without audio. */
import { $ } from './dom.js';
import { api } from './http.js';
import { lang, t } from './i18n.js';
import { formatYuan, exponentOf, minorToDecimal } from './money.js';
import { currencyName } from './currencies.js';

const KEY = 'qb_till_voice';
/** How often the till looks for payments it did not start (a customer scanning the shop's code). */
const WATCH_MS = 3000;
/** Payments already said, so an order's or a charge's payment is not said twice. */
const said = new Set();

/** Whether the shop turned the announcement on. */
export function voiceOn() {
  try { return localStorage.getItem(KEY) === '1'; } catch (_) { return false; }
}

/** Says that `minor` of `currency` (yuan unless told) arrived (payment `paymentId`, said once),
 * when the toggle is on: "钱包到账 12.50 元", "钱包到账 10.00 美元". */
export function announceArrival(minor, paymentId, currency) {
  if (paymentId) {
    if (said.has(paymentId)) return;
    said.add(paymentId);
  }
  if (!voiceOn()) return;
  const text = !currency || currency === 'CNY' ? t('till.voice_text', { amount: formatYuan(minor) })
    : t('till.voice_text_ccy', { amount: minorToDecimal(minor, exponentOf(currency)), name: currencyName(currency), code: currency });
  window.__qbSpoken = window.__qbSpoken || [];
  window.__qbSpoken.push(text);
  const synth = window.speechSynthesis;
  if (!synth || typeof window.SpeechSynthesisUtterance !== 'function') return;
  const u = new window.SpeechSynthesisUtterance(text);
  u.lang = lang() === 'zh' ? 'zh-CN' : 'en-US';
  try { synth.speak(u); } catch (_) { /* no voice on this device: the screen still shows it */ }
}

/** Wires the toggle `#till-voice` to localStorage. */
export function wireVoice() {
  const box = $('till-voice');
  box.checked = voiceOn();
  box.addEventListener('change', () => {
    try { localStorage.setItem(KEY, box.checked ? '1' : '0'); } catch (_) { /* private mode */ }
    // Browsers let a page speak only after a gesture: this click is one, so a short test line
    // both confirms the setting and unlocks speech for later payments.
    if (box.checked && window.speechSynthesis && typeof window.SpeechSynthesisUtterance === 'function') {
      const u = new window.SpeechSynthesisUtterance(t('till.voice_on'));
      u.lang = lang() === 'zh' ? 'zh-CN' : 'en-US';
      try { window.speechSynthesis.speak(u); } catch (_) { /* no voice */ }
    }
  });
}

let watchTimer = null;
let watching = false;
/**
 * Watches for payments the till did not start — a customer who scanned the printed shop code
 * pays without the till knowing — and says each new one, then calls `onNew` (to redraw the list
 * and the takings). The first look only learns what was there already. Stops with `stopWatching`.
 */
export function watchArrivals(onNew) {
  if (watching) return;
  watching = true;
  let seeded = false;
  const tick = async () => {
    if (!watching) return;
    try {
      const r = await api('GET', '/v1/merchant/payments', { query: { limit: 10 }, quiet: true });
      let fresh = false;
      for (const p of (r.items || []).slice().reverse()) {
        if (said.has(p.payment_id) || (p.status && p.status !== 'succeeded')) continue;
        if (seeded) { announceArrival(p.amount, p.payment_id, p.currency); fresh = true; } else said.add(p.payment_id);
      }
      seeded = true;
      if (fresh && onNew) onNew();
    } catch (err) {
      if (err && err.code === 'unauthorized') { stopWatching(); return; }
    }
    if (watching) watchTimer = window.setTimeout(tick, WATCH_MS);
  };
  tick();
}

/** Stops the watch (signing out). */
export function stopWatching() {
  watching = false;
  if (watchTimer) window.clearTimeout(watchTimer);
  watchTimer = null;
}
