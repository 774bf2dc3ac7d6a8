/* qianbao web, holder's app — bill payment (#/bills, 生活缴费): choose a biller (GET /v1/billers)
 * and type the account number, look the bill up (GET /v1/bills/lookup: amount, period and the
 * account holder's masked name), and pay it with the payment password (POST
 * /v1/bills/{bill_id}/pay, one Idempotency-Key per bill, through the second-factor sheet if risk
 * control asks); it ends on the shared result page in `bills-result`. Below, the saved billers
 * (GET/POST/DELETE /v1/me/billers): pay one in a tap, or switch its auto-pay on with a day and a
 * cap (PUT/DELETE /v1/me/billers/{id}/autopay). A pending payment (the biller's answer awaited)
 * shows as waiting; the timer settles it and the inbox says how. */
import { $, announce, clear, el } from './dom.js';
import { Idem, api } from './http.js';
import { t } from './i18n.js';
import { localError, reportError, showError } from './errors.js';
import { amountOf, digits6, form } from './common.js';
import { formatMoney, formatYuan } from './money.js';
import { moneyCall } from './app-second-factor.js';
import { hideResult, showResult } from './result-page.js';

const st = {
  /** The billers, as listed. */
  billers: [],
  /** The bill looked up, as the server answered it. */
  bill: null,
  /** One Idempotency-Key per bill paid (a retry after a network failure reuses it). */
  idem: new Idem(),
};

function billerName(id) {
  const b = st.billers.find((x) => x.id === id);
  return b ? b.name : id;
}

function drawBillers() {
  const select = clear('bills-biller');
  for (const b of st.billers) {
    select.append(el('option', { value: b.id, text: t('bills.option', { city: b.city, name: b.name, kind: t('bills.kind.' + b.kind) }) }));
  }
}

function clearBill() {
  st.bill = null;
  $('bills-found').hidden = true;
  $('bills-pin-row').hidden = true;
  $('bills-pin').value = '';
  $('bills-submit').textContent = t('bills.look_up');
}

function drawBill(b) {
  st.bill = b;
  st.idem.reset();
  $('bills-found-biller').textContent = b.biller_name;
  $('bills-found-account').textContent = b.account;
  $('bills-found-name').textContent = b.masked_name;
  $('bills-found-period').textContent = b.period;
  $('bills-found-amount').textContent = formatMoney(b.amount);
  $('bills-found').hidden = false;
  $('bills-pin-row').hidden = false;
  $('bills-submit').textContent = t('bills.pay');
  announce(t('bills.found', { amount: formatMoney(b.amount), period: b.period }));
  $('bills-pin').focus();
}

async function lookUp() {
  const biller = $('bills-biller').value;
  const input = $('bills-account');
  const account = input.value.trim();
  if (!/^\d{6,20}$/.test(account)) throw localError('bill_account', input);
  const q = new URLSearchParams({ biller, account });
  drawBill(await api('GET', '/v1/bills/lookup?' + q.toString()));
}

async function pay() {
  const b = st.bill;
  const pin = digits6('bills-pin');
  const what = () => t('stepup.what.bill', { amount: formatMoney(b.amount), biller: b.biller_name });
  let r;
  try {
    r = await moneyCall('/v1/bills/' + encodeURIComponent(b.bill_id) + '/pay', { pin }, st.idem, what);
  } catch (err) {
    if (['pin_incorrect', 'pin_invalid', 'pin_locked'].includes(err.code)) { $('bills-pin').value = ''; err.input = $('bills-pin'); }
    // A bill that changed or was paid is looked up afresh, not paid as it was.
    if (['bill_amount_changed', 'bill_already_paid', 'bill_not_found'].includes(err.code)) clearBill();
    st.idem.settle(err);
    throw err;
  }
  st.idem.settle(null);
  $('bills-form').hidden = true;
  const message = r.status === 'failed' ? t('bills.refunded') : (r.status === 'pending' ? t('bills.pending') : t('bills.done'));
  showResult('bills-result', {
    message, status: r.status, id: r.id, amount: r.amount, currency: 'CNY',
    payee: b.biller_name + ' ' + b.account + ' · ' + b.period,
  });
  clearBill();
}

async function save() {
  const b = st.bill;
  if (!b) return;
  await api('POST', '/v1/me/billers', { body: { biller_id: b.biller, account: $('bills-account').value.trim() } });
  announce(t('bills.saved_done'));
  await loadSaved();
}

function savedRow(s) {
  const auto = s.autopay
    ? t('bills.autopay_on', { day: s.autopay.day, cap: formatMoney(s.autopay.cap) })
    : t('bills.autopay_off');
  const payIt = el('button', { type: 'button', class: 'btn', text: t('bills.pay_this'), on: { click: async () => {
    $('bills-biller').value = s.biller_id;
    $('bills-account').value = s.account;
    try { await lookUp(); } catch (err) { reportError('bills-error', err); }
  } } });
  const day = el('input', { type: 'number', min: '1', max: '28', value: s.autopay ? String(s.autopay.day) : '1', class: 'input-short', 'aria-label': t('bills.autopay_day') });
  const cap = el('input', { type: 'text', inputmode: 'decimal', id: 'bills-cap-' + s.id, value: s.autopay ? formatYuan(s.autopay.cap) : '', class: 'input-short', 'aria-label': t('bills.autopay_cap'), placeholder: '0.00' });
  const switchOn = el('button', { type: 'button', class: 'btn', text: t('bills.autopay_set'), on: { click: async () => {
    try {
      const n = Number(day.value);
      if (!Number.isInteger(n) || n < 1 || n > 28) throw localError('autopay_day', day);
      const fen = amountOf('bills-cap-' + s.id);
      await api('PUT', '/v1/me/billers/' + encodeURIComponent(s.id) + '/autopay', { body: { day: n, cap: fen } });
      await loadSaved();
    } catch (err) { reportError('bills-saved-error', err); }
  } } });
  const switchOff = el('button', { type: 'button', class: 'btn', text: t('bills.autopay_stop'), hidden: !s.autopay, on: { click: async () => {
    try { await api('DELETE', '/v1/me/billers/' + encodeURIComponent(s.id) + '/autopay'); await loadSaved(); } catch (err) { reportError('bills-saved-error', err); }
  } } });
  const forget = el('button', { type: 'button', class: 'btn btn-link', text: t('bills.forget'), on: { click: async () => {
    try { await api('DELETE', '/v1/me/billers/' + encodeURIComponent(s.id)); await loadSaved(); } catch (err) { reportError('bills-saved-error', err); }
  } } });
  return el('li', { class: 'saved-biller', dataset: { id: s.id } },
    el('p', {}, el('strong', { text: s.nickname }), ' · ', billerName(s.biller_id), ' · ', s.account),
    el('p', { class: 'muted small', text: auto }),
    el('div', { class: 'row-buttons' }, payIt, forget),
    el('div', { class: 'inline-form' }, day, cap, switchOn, switchOff));
}

async function loadSaved() {
  const r = await api('GET', '/v1/me/billers');
  const list = clear('bills-saved');
  const saved = (r && r.billers) || [];
  $('bills-saved-none').hidden = saved.length > 0;
  for (const s of saved) list.append(savedRow(s));
}

export function wire() {
  form('bills-form', async () => {
    if (st.bill) await pay();
    else await lookUp();
  });
  $('bills-biller').addEventListener('change', clearBill);
  $('bills-account').addEventListener('input', clearBill);
  $('bills-save').addEventListener('click', async () => {
    try { await save(); } catch (err) { reportError('bills-error', err); }
  });
}

async function enter() {
  hideResult('bills-result');
  $('bills-form').hidden = false;
  showError('bills-error', null);
  showError('bills-saved-error', null);
  clearBill();
  const r = await api('GET', '/v1/billers');
  st.billers = (r && r.billers) || [];
  drawBillers();
  await loadSaved();
}

function redraw() {
  if (!st.billers.length) return;
  const chosen = $('bills-biller').value;
  drawBillers();
  $('bills-biller').value = chosen;
  loadSaved().catch(() => {});
}

export const screens = {
  // A live notification (a pending payment settled) may change what the saved list shows.
  bills: { enter, onLang: redraw },
};
