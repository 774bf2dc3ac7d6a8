/* qianbao web, holder's app — the receive code (#/receive): a QR another wallet scans to pay
 * this one, with an amount fixed in it or not. */
import { $, qrImg } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { showError } from './errors.js';
import { amountOf, form } from './common.js';
import { formatMoney } from './money.js';

async function showReceive(amount) {
  const r = await api('GET', '/v1/me/receive-code', { query: { amount } });
  qrImg($('receive-qr'), r.qr_svg, t('receive.alt'));
  $('receive-payload').textContent = r.payload;
  const shown = $('receive-amount-shown');
  shown.hidden = !amount;
  shown.textContent = amount ? formatMoney(amount) : '';
}

export function wire() {
  form('receive-form', async () => {
    const v = $('receive-amount').value.trim();
    await showReceive(v ? amountOf('receive-amount') : undefined);
  });
}

export const screens = {
  receive: {
    async enter() {
      showError('receive-error', null);
      await showReceive(undefined);
    },
  },
};
