/* qianbao web, holder's app — a shop's charge waiting for the holder (WeChat's USERPAYING): above
 * the password-free limit the till's charge waits, and this sheet shows who asks and how much,
 * with the payment password to confirm it, or a decline. It opens when the live stream announces
 * a `pending_charge` and when home is shown while one waits. A confirmed charge ends on the shared
 * result page (result-page.js), on its own screen (#/result). */
import { $, announce, toast } from './dom.js';
import { api, Idem } from './http.js';
import { t, onLang } from './i18n.js';
import { showError } from './errors.js';
import { digits6, form } from './common.js';
import { formatMoney } from './money.js';
import { moneyCall } from './app-second-factor.js';
import { showResult } from './result-page.js';
import { go } from './app-router.js';

/** The charge the sheet shows, or null; one Idempotency-Key per confirmation. */
let shown = null;
const idem = new Idem();

function draw() {
  if (!shown) return;
  $('charge-merchant').textContent = t('charge.from', { merchant: shown.merchant_name });
  $('charge-amount').textContent = formatMoney(shown.amount);
  $('charge-desc').textContent = shown.description || '';
  $('charge-desc').hidden = !shown.description;
}

function open(charge) {
  if (shown && shown.payment_id === charge.payment_id) return;
  shown = charge;
  idem.reset();
  $('charge-pin').value = '';
  showError('charge-error', null);
  draw();
  $('charge-sheet').hidden = false;
  $('charge-sheet').dataset.paymentId = charge.payment_id;
  $('charge-pin').focus();
  announce(t('charge.title') + ' ' + $('charge-merchant').textContent + ' ' + $('charge-amount').textContent);
}

function close() {
  shown = null;
  $('charge-sheet').hidden = true;
  delete $('charge-sheet').dataset.paymentId;
}

/** Opens the sheet for the oldest charge waiting for the holder, if one waits. */
export async function showPendingCharges() {
  let r;
  try { r = await api('GET', '/v1/me/pending-charges'); } catch (_) { return; }
  const items = (r && r.items) || [];
  if (items.length) open(items[0]);
  else if (shown) close();
}

/** A live notification: a charge announced opens the sheet. */
export function onNotice(n) {
  if (n && n.kind === 'pending_charge') showPendingCharges();
}

/** Closes the sheet after an answer that ends the charge, and says so. */
function ended(key, kind) {
  const amount = shown ? formatMoney(shown.amount) : '';
  close();
  toast(t(key, { amount }), '', kind);
  announce(t(key, { amount }));
}

export function wire() {
  onLang(draw);
  $('charge-decline').addEventListener('click', async () => {
    const c = shown;
    if (!c) return;
    try {
      await api('POST', '/v1/me/pending-charges/' + encodeURIComponent(c.payment_id) + '/decline');
    } catch (err) {
      if (err.code !== 'charge_expired' && err.code !== 'charge_not_awaiting') { showError('charge-error', err); return; }
    }
    ended('charge.declined', 'info');
  });
  form('charge-form', async () => {
    const c = shown;
    if (!c) return;
    const pin = digits6('charge-pin');
    let r;
    try {
      r = await moneyCall('/v1/me/pending-charges/' + encodeURIComponent(c.payment_id) + '/confirm', { pin }, idem,
        () => t('charge.what', { merchant: c.merchant_name, amount: formatMoney(c.amount) }));
    } catch (err) {
      if (err.code === 'charge_expired' || err.code === 'charge_not_awaiting') { ended('err.' + err.code, 'error'); return; }
      if (err.code === 'pin_incorrect') { $('charge-pin').value = ''; err.input = $('charge-pin'); }
      throw err;
    }
    ended('charge.paid', 'ok');
    go('#/result');
    showResult('charge-result', {
      message: t('scan.paid'), status: r.status, id: r.payment_id, paymentId: r.payment_id,
      amount: r.amount, currency: r.currency, payee: r.payee || c.merchant_name,
      method: r.method === 'card' ? t('record.method.card') : t('record.method.balance'),
    });
  }, { errorBox: 'charge-error' });
}

export const screens = {
  // Only a confirmed charge has a result to show: opened any other way, home instead.
  result: { enter: () => { if (!$('charge-result-page').firstChild) go('#/home'); } },
};
