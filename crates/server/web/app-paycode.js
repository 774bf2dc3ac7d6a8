/* qianbao web, holder's app — the payment code (#/paycode): 18 digits and their QR for a till to
 * charge, refreshed by itself 10 s before they expire, with a countdown. */
import { $, qrImg } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { showError } from './errors.js';
import { state } from './app-state.js';

/** Loads a fresh code now (while the screen is shown), or does nothing. */
let reload = null;

/** "284785137690847222" → "2847 8513 7690 8472 22". */
function groupDigits(code, size) {
  const out = [];
  for (let i = 0; i < code.length; i += size) out.push(code.slice(i, i + size));
  return out.join(' ');
}

async function enter() {
  let refreshTimer = null;
  let tickTimer = null;
  let alive = true;
  state.leave = () => {
    alive = false;
    if (refreshTimer) window.clearTimeout(refreshTimer);
    if (tickTimer) window.clearInterval(tickTimer);
  };
  async function load() {
    if (!alive) return;
    if (refreshTimer) window.clearTimeout(refreshTimer);
    if (tickTimer) window.clearInterval(tickTimer);
    showError('paycode-error', null);
    try {
      const r = await api('GET', '/v1/me/payment-code');
      if (!alive) return;
      qrImg($('paycode-qr'), r.qr_svg, t('paycode.alt'));
      $('paycode-digits').textContent = groupDigits(r.code, 4);
      $('paycode-digits').dataset.code = r.code;
      const expires = new Date(r.expires_at).getTime();
      const refreshAt = Math.max(5000, expires - Date.now() - 10000);
      refreshTimer = window.setTimeout(load, refreshAt);
      const due = Date.now() + refreshAt;
      const show = () => { $('paycode-expires').textContent = t('paycode.expires', { n: Math.max(0, Math.ceil((due - Date.now()) / 1000)) }); };
      show();
      tickTimer = window.setInterval(show, 1000);
    } catch (err) {
      $('paycode-qr').hidden = true;
      $('paycode-digits').textContent = '';
      $('paycode-expires').textContent = '';
      showError('paycode-error', err);
    }
  }
  reload = load;
  await load();
}

export function wire() {
  $('paycode-refresh').addEventListener('click', () => { if (reload) reload(); });
}

export const screens = { paycode: { enter } };
