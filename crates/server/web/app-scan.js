/* qianbao web, holder's app — scan to pay (#/scan): a QR payload pasted or a picture decoded by
 * the server (stage 1), who is paid and how much as the server previews it, then the payment
 * password (stage 2; a second factor through the shared sheet when risk control asks), and the
 * result (stage 3: the shared result page, paid or held for review). A shop's code or order may be paid from the balance
 * or a bound card (the payment-method row: the balance by default when it covers the amount). */
import { $, clear, el, imageType } from './dom.js';
import { Idem, api } from './http.js';
import { t } from './i18n.js';
import { codeError, localError, reportError, showError } from './errors.js';
import { amountOf, digits6, form } from './common.js';
import { formatMoney } from './money.js';
import { moneyCall } from './app-second-factor.js';
import { fetchCards } from './app-cards.js';
import { showResult } from './result-page.js';

/** The payment being confirmed: its payload, kind (r/m/o), fixed amount, Idempotency-Key, the
 * available balance, and whether the payer chose the method themselves. */
const pay = { payload: '', kind: '', fixed: null, idem: new Idem(), available: 0, chosen: false };

/** The methods that can pay a shop: the balance, then each active card (the default first). A
 * holder's receive code is paid from the balance only. */
async function fillMethods(kind) {
  const row = $('pay-method-row');
  const sel = clear('pay-method');
  pay.chosen = false;
  row.hidden = true;
  if (kind === 'r') return;
  let cards = [];
  try {
    const [bal, all] = await Promise.all([api('GET', '/v1/me/balance'), fetchCards()]);
    const cny = ((bal && bal.balances) || []).find((b) => b.currency === 'CNY');
    pay.available = cny ? cny.available : 0;
    cards = all.filter((c) => c.status === 'active');
  } catch (_) {
    return; // Without the list the balance pays, as before.
  }
  if (cards.length === 0) return;
  sel.append(el('option', { value: '', text: t('scan.method.balance', { amount: formatMoney(pay.available) }) }));
  for (const c of cards) {
    sel.append(el('option', {
      value: c.card_id,
      text: t('scan.method.card', { bank: c.bank_name, type: t('cards.' + c.card_type), last4: c.last4 }),
      dataset: { shown: c.bank_name + ' ****' + c.last4 },
    }));
  }
  row.hidden = false;
  pickMethod();
}

/** The balance when it covers the amount (or none is typed yet), else the first card. */
function pickMethod() {
  if (pay.chosen || $('pay-method-row').hidden) return;
  const typed = $('pay-amount-row').hidden ? pay.fixed : Math.round(parseFloat($('pay-amount').value || '0') * 100);
  const sel = $('pay-method');
  sel.selectedIndex = typed && typed > pay.available && sel.options.length > 1 ? 1 : 0;
}

/** A code this wallet can pay: qianbao://r|m|o/<id>[?amount=<fen>] (amount only on r). */
function parsePayload(text) {
  const m = /^qianbao:\/\/([rmo])\/([0-9a-z-]{1,64})(?:\?amount=(\d{1,15}))?$/.exec(String(text || '').trim());
  if (!m) return null;
  if (m[3] !== undefined && m[1] !== 'r') return null;
  const amount = m[3] !== undefined ? parseInt(m[3], 10) : null;
  if (amount !== null && !(amount > 0)) return null;
  return { kind: m[1], id: m[2], amount };
}

function scanStage(n) {
  for (let i = 1; i <= 3; i++) $('scan-stage-' + i).hidden = i !== n;
}

function enter() {
  scanStage(1);
  $('pay-file').value = '';
  $('pay-decode-status').textContent = '';
  showError('pay-error-1', null);
  showError('pay-error', null);
  const q = location.hash.split('?')[1];
  if (q && q.startsWith('payload=')) {
    const p = decodeURIComponent(q.slice(8));
    $('pay-payload').value = p;
  }
}

async function toConfirm(text) {
  const p = parsePayload(text);
  if (!p) throw codeError('payload_invalid', $('pay-payload'));
  pay.payload = text.trim();
  pay.kind = p.kind;
  pay.fixed = p.amount;
  pay.idem.reset();
  $('pay-kind').textContent = t('scan.kind.' + p.kind);
  // The server says who is paid and how much before the password is asked for; an order's
  // amount comes from the shop, never from the picture.
  let seen;
  try {
    seen = await api('GET', '/v1/pay/preview', { query: { payload: pay.payload } });
  } catch (err) {
    if (err.code === 'payload_invalid') err.input = $('pay-payload');
    throw err;
  }
  const payee = $('pay-payee');
  payee.textContent = p.kind === 'r' ? seen.payee_name
    : t(p.kind === 'm' ? 'scan.shop' : 'scan.order', { id: seen.payee_name });
  if (seen.description) payee.textContent += ' · ' + seen.description;
  pay.fixed = seen.amount;
  const fixed = $('pay-amount-fixed');
  const row = $('pay-amount-row');
  if (seen.amount) {
    fixed.hidden = false; fixed.textContent = formatMoney(seen.amount, seen.currency); fixed.classList.remove('muted'); row.hidden = true;
  } else {
    fixed.hidden = true; row.hidden = false;
  }
  $('pay-amount').value = '';
  $('pay-pin').value = '';
  showError('pay-error', null);
  await fillMethods(p.kind);
  scanStage(2);
  (row.hidden ? $('pay-pin') : $('pay-amount')).focus();
}

export function wire() {
  $('pay-file').addEventListener('change', async () => {
    const file = $('pay-file').files[0];
    if (!file) return;
    const status = $('pay-decode-status');
    showError('pay-error-1', null);
    status.textContent = t('scan.decoding');
    try {
      const r = await api('POST', '/v1/qr/decode', { raw: file, contentType: imageType(file) });
      status.textContent = '';
      $('pay-payload').value = r.payload;
      await toConfirm(r.payload);
    } catch (err) {
      status.textContent = '';
      reportError('pay-error-1', err);
    } finally {
      $('pay-file').value = '';
    }
  });

  form('pay-form-1', async () => {
    const text = $('pay-payload').value.trim();
    if (!text) throw localError('required', $('pay-payload'));
    await toConfirm(text);
  });

  $('pay-amount').addEventListener('input', pickMethod);
  $('pay-method').addEventListener('change', () => { pay.chosen = true; });

  $('pay-cancel').addEventListener('click', () => { scanStage(1); $('pay-payload').focus(); });

  form('pay-form', async () => {
    const body = { payload: pay.payload };
    if (!$('pay-amount-row').hidden) body.amount = amountOf('pay-amount');
    body.pin = digits6('pay-pin');
    const method = $('pay-method-row').hidden ? null : $('pay-method').selectedOptions[0];
    if (method && method.value) body.card_id = method.value;
    const payee = $('pay-payee').textContent;
    const shown = formatMoney(body.amount || pay.fixed);
    let r;
    try {
      r = await moneyCall('/v1/pay', body, pay.idem, () => t('stepup.what.pay', { amount: shown, payee }));
    } catch (err) {
      if (['pin_incorrect', 'pin_invalid', 'pin_locked'].includes(err.code)) { $('pay-pin').value = ''; err.input = $('pay-pin'); }
      if (err.code === 'amount_invalid' && !$('pay-amount-row').hidden) err.input = $('pay-amount');
      throw err;
    }
    $('pay-pin').value = '';
    const held = r.status === 'held_for_review';
    const card = r.method === 'card' && method ? method.dataset.shown : '';
    scanStage(3);
    showResult('pay-result', {
      message: held ? t('scan.held') : t('scan.paid'),
      status: r.status, id: r.payment_id || r.id, paymentId: r.payment_id || r.id,
      amount: r.amount, currency: r.currency, payee: r.payee || payee,
      method: card ? t('result.by_card', { card }) : t('record.method.balance'),
    });
  });
}

export const screens = { scan: { enter } };
