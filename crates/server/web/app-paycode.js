/* qianbao web, holder's app — the payment code (#/paycode): 18 digits as a Code 128 barcode and a
 * QR for a till to charge, refreshed by itself 10 s before they expire, with a countdown. The
 * digits show masked but for the first four (someone looking over a shoulder could pay with
 * them) until "查看数字" is tapped, and mask themselves again 10 s later. */
import { $, clear, qrImg } from './dom.js';
import { barcodeSvg } from './barcode.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { showError } from './errors.js';
import { state } from './app-state.js';

/** Loads a fresh code now (while the screen is shown), or does nothing. */
let reload = null;

/** How long the digits stay shown after "查看数字". */
const REVEAL_MS = 10000;

/** Whether the digits show in clear now, and the timer that masks them again. */
let revealed = false;
let revealTimer = null;

/** "284785137690847222" → "2847 8513 7690 8472 22". */
function groupDigits(code, size) {
  const out = [];
  for (let i = 0; i < code.length; i += size) out.push(code.slice(i, i + size));
  return out.join(' ');
}

/** "284785137690847222" → "2847 **** **** **** **": all but the first four digits hidden. */
export function maskDigits(code) {
  return groupDigits(code.slice(0, 4) + code.slice(4).replace(/\d/g, '*'), 4);
}

/** Draws the digits masked or in clear, and the button that switches them. */
function drawDigits() {
  const box = $('paycode-digits');
  const code = box.dataset.code || '';
  box.textContent = code ? (revealed ? groupDigits(code, 4) : maskDigits(code)) : '';
  box.dataset.masked = revealed ? '0' : '1';
  const button = $('paycode-reveal');
  const key = revealed ? 'paycode.hide' : 'paycode.reveal';
  button.textContent = t(key);
  button.setAttribute('data-i18n', key);
  button.setAttribute('aria-pressed', revealed ? 'true' : 'false');
  button.hidden = !code;
}

/** Shows the digits for 10 s (or hides them at once when shown). */
function toggleReveal() {
  if (revealTimer) window.clearTimeout(revealTimer);
  revealTimer = null;
  revealed = !revealed;
  if (revealed) revealTimer = window.setTimeout(() => { revealed = false; revealTimer = null; drawDigits(); }, REVEAL_MS);
  drawDigits();
}

/** Masks the digits again and forgets the timer (leaving the screen). */
function mask() {
  if (revealTimer) window.clearTimeout(revealTimer);
  revealTimer = null;
  revealed = false;
}

async function enter() {
  let refreshTimer = null;
  let tickTimer = null;
  let alive = true;
  mask();
  state.leave = () => {
    alive = false;
    mask();
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
      clear('paycode-barcode').append(barcodeSvg(r.code, t('paycode.barcode_alt')));
      $('paycode-barcode').hidden = false;
      $('paycode-digits').dataset.code = r.code;
      drawDigits();
      const expires = new Date(r.expires_at).getTime();
      const refreshAt = Math.max(5000, expires - Date.now() - 10000);
      refreshTimer = window.setTimeout(load, refreshAt);
      const due = Date.now() + refreshAt;
      const show = () => { $('paycode-expires').textContent = t('paycode.expires', { n: Math.max(0, Math.ceil((due - Date.now()) / 1000)) }); };
      show();
      tickTimer = window.setInterval(show, 1000);
    } catch (err) {
      $('paycode-qr').hidden = true;
      $('paycode-barcode').hidden = true;
      $('paycode-digits').dataset.code = '';
      drawDigits();
      $('paycode-expires').textContent = '';
      showError('paycode-error', err);
    }
  }
  reload = load;
  await load();
}

export function wire() {
  $('paycode-refresh').addEventListener('click', () => { if (reload) reload(); });
  $('paycode-reveal').addEventListener('click', toggleReveal);
}

export const screens = { paycode: { enter, onLang: drawDigits } };
