/* qianbao web, holder's app — open a shop (#/shop): name and category, then the shop's API key
 * (shown once, with a copy button), its static QR text and the link to the till. */
import { $, announce, toast } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { localError, showError } from './errors.js';
import { form } from './common.js';

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
    const r = await api('POST', '/v1/merchants', { body: { name, category: $('shop-category').value } });
    $('shop-key').textContent = r.api_key;
    $('shop-static').textContent = r.static_qr_payload;
    $('shop-form').hidden = true;
    $('shop-result').hidden = false;
    announce(t('shop.done'));
    $('shop-copy').focus();
  });
  $('shop-copy').addEventListener('click', copyKey);
}

export const screens = {
  shop: {
    enter() {
      $('shop-form').hidden = false;
      $('shop-result').hidden = true;
      showError('shop-error', null);
    },
  },
};
