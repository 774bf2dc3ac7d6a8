/* qianbao web, holder's app — open a shop (#/shop): name, category and the refund password the
 * till will ask before refunds, then the shop's API key (shown once, with a copy button), its
 * printable shop code (the static QR drawn by the server, with the shop's name) and the link to
 * the till. */
import { $, announce, qrImg, toast } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { localError, showError } from './errors.js';
import { digits6, form } from './common.js';
import { state } from './app-state.js';

async function copyKey() {
  const key = $('shop-key').textContent;
  try {
    await navigator.clipboard.writeText(key);
  } catch (_) {
    const range = document.createRange();
    range.selectNodeContents($('shop-key'));
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    try { document.execCommand('copy'); } catch (__) { /* selected at least */ }
  }
  toast(t('shop.copied'), '', 'ok');
}

export function wire() {
  form('shop-form', async () => {
    const name = $('shop-name').value.trim();
    if (!name) throw localError('required', $('shop-name'));
    const refund_password = digits6('shop-refund-password', 'refund_password');
    let r;
    try {
      r = await api('POST', '/v1/merchants', { body: { name, category: $('shop-category').value, refund_password } });
    } catch (err) {
      if (String(err.code || '').startsWith('refund_password')) err.input = $('shop-refund-password');
      throw err;
    }
    $('shop-refund-password').value = '';
    $('shop-key').textContent = r.api_key;
    $('shop-static').textContent = r.static_qr_payload;
    $('shop-qr-name').textContent = name;
    qrImg($('shop-qr-img'), r.static_qr_svg || '', t('poster.alt', { name }));
    $('shop-qr-img').dataset.payload = r.static_qr_payload;
    // Printing now prints the poster alone (style.css, @media print), never the key.
    document.body.classList.add('poster-shown');
    state.leave = () => document.body.classList.remove('poster-shown');
    $('shop-form').hidden = true;
    $('shop-result').hidden = false;
    announce(t('shop.done'));
    $('shop-copy').focus();
  });
  $('shop-copy').addEventListener('click', copyKey);
  $('shop-qr-print').addEventListener('click', () => window.print());
}

export const screens = {
  shop: {
    enter() {
      document.body.classList.remove('poster-shown');
      $('shop-form').hidden = false;
      $('shop-result').hidden = true;
      showError('shop-error', null);
    },
  },
};
