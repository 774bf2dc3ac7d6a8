/* qianbao web, holder's app — the receive code (#/receive): a QR another wallet scans to pay
 * this one, with an amount fixed in it or not. Beside it the payee's own masked name (what the
 * payer will see before paying), never the raw link: that stays behind "复制收款链接". */
import { $, announce, qrImg } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { showError } from './errors.js';
import { amountOf, form, maskedPhone } from './common.js';
import { formatMoney } from './money.js';
import { state } from './app-state.js';

function drawName() {
  const me = state.me || {};
  $('receive-name').textContent = me.masked_name || maskedPhone(me.phone);
}

async function showReceive(amount) {
  const r = await api('GET', '/v1/me/receive-code', { query: { amount } });
  qrImg($('receive-qr'), r.qr_svg, t(amount ? 'receive.alt_amount' : 'receive.alt', { amount: amount ? formatMoney(amount) : '' }));
  drawName();
  const payload = $('receive-payload');
  payload.textContent = r.payload;
  payload.dataset.payload = r.payload;
  payload.hidden = true;
  $('receive-copied').hidden = true;
  const shown = $('receive-amount-shown');
  shown.hidden = !amount;
  shown.textContent = amount ? formatMoney(amount) : '';
  if (amount) shown.dataset.fen = String(amount); else delete shown.dataset.fen;
}

/** Copies the link; where the browser will not, shows it to be copied by hand. */
async function copyLink() {
  const payload = $('receive-payload');
  const done = $('receive-copied');
  try {
    await navigator.clipboard.writeText(payload.dataset.payload || '');
    done.textContent = t('receive.copied');
    payload.hidden = true;
  } catch (_) {
    done.textContent = t('receive.copy_by_hand');
    payload.hidden = false;
  }
  done.hidden = false;
  announce(done.textContent);
}

export function wire() {
  form('receive-form', async () => {
    const v = $('receive-amount').value.trim();
    await showReceive(v ? amountOf('receive-amount') : undefined);
  });
  $('receive-copy').addEventListener('click', copyLink);
}

export const screens = {
  receive: {
    async enter() {
      showError('receive-error', null);
      await showReceive(undefined);
    },
    onLang: drawName,
  },
};
