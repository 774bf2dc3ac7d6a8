/* qianbao web, holder's app — top-up (#/topup) and withdrawal (#/withdraw), one flow with two
 * kinds: choose the card and amount, see the fee quoted first, then the PIN moves the money (with
 * a second factor through the shared sheet when risk control asks; held for review says so).
 * Their ids differ only by the prefix (topup-… / withdraw-…). Each ends on the shared result page
 * (result-page.js) in `<kind>-result-page`. */
import { $, announce, clear, el } from './dom.js';
import { Idem, api } from './http.js';
import { t } from './i18n.js';
import { localError, showError } from './errors.js';
import { amountOf, digits6, form } from './common.js';
import { formatMoney } from './money.js';
import { fetchCards } from './app-cards.js';
import { loadBalance } from './app-home.js';
import { moneyCall } from './app-second-factor.js';
import { hideResult, showResult } from './result-page.js';

/** The result's text key suffix for a reply's status. */
const RESULT = { succeeded: '.done', held_for_review: '.held' };

/** Wires the flow of `kind` ('topup' or 'withdraw'); answers its enter(). */
function moneyFlow(kind) {
  const st = { quoted: null, idem: new Idem() };
  const id = (x) => kind + '-' + x;
  const reset = () => {
    st.quoted = null;
    $(id('quote')).hidden = true;
    $(id('pin-row')).hidden = true;
    $(id('pin')).value = '';
    const b = $(id('submit'));
    b.setAttribute('data-i18n', 'quote.show_fee');
    b.textContent = t('quote.show_fee');
  };
  const showAvailable = () => loadBalance().then((b) => { $('withdraw-available').textContent = formatMoney(b.available); });
  $(id('amount')).addEventListener('input', reset);
  $(id('card')).addEventListener('change', reset);
  form(id('form'), async () => {
    const cardId = $(id('card')).value;
    if (!cardId) throw localError('required', $(id('card')));
    const amount = amountOf(id('amount'));
    // The first submit (or one after the amount or card changed) only asks for the fee.
    if (!st.quoted || st.quoted.amount !== amount || st.quoted.card !== cardId) {
      const q = kind === 'topup'
        ? await api('GET', '/v1/me/topups/quote', { query: { card_id: cardId, amount } })
        : await api('GET', '/v1/me/withdrawals/quote', { query: { amount } });
      st.quoted = { amount, card: cardId, fee: q.fee, total: q.total };
      st.idem.reset();
      $(id('quote-amount')).textContent = formatMoney(q.amount);
      $(id('fee')).textContent = formatMoney(q.fee);
      $(id('total')).textContent = formatMoney(q.total);
      $(id('quote')).hidden = false;
      $(id('pin-row')).hidden = false;
      const b = $(id('submit'));
      b.setAttribute('data-i18n', kind + '.confirm');
      b.textContent = t(kind + '.confirm');
      announce(t('quote.fee') + ' ' + formatMoney(q.fee));
      $(id('pin')).focus();
      return;
    }
    const pin = digits6(id('pin'));
    let r;
    try {
      r = await moneyCall(kind === 'topup' ? '/v1/me/topups' : '/v1/me/withdrawals',
        { card_id: cardId, amount, pin }, st.idem, () => t('stepup.what.' + kind, { amount: formatMoney(amount) }));
    } catch (err) {
      if (['pin_incorrect', 'pin_invalid', 'pin_locked'].includes(err.code)) { $(id('pin')).value = ''; err.input = $(id('pin')); }
      throw err;
    }
    const card = $(id('card')).selectedOptions[0];
    $(id('amount')).value = '';
    reset();
    showResult(id('result'), {
      message: t(kind + (RESULT[r.status] || '.pending'), { amount: formatMoney(r.amount, r.currency), fee: formatMoney(r.fee, r.currency) }),
      status: r.status, id: r.id, amount: r.amount, currency: r.currency,
      // Money comes from the card into the wallet, or leaves the wallet for the card.
      payee: kind === 'topup' ? t('result.to_wallet') : (card ? card.textContent : ''),
      method: kind === 'topup' ? (card ? card.textContent : '') : t('record.method.balance'),
    });
    if (kind === 'withdraw') showAvailable().catch(() => {});
  });
  return async function enter() {
    reset();
    hideResult(id('result'));
    showError(id('error'), null);
    const cards = (await fetchCards()).filter((c) => c.status === 'active');
    const sel = clear(id('card'));
    for (const c of cards) {
      sel.append(el('option', { value: c.card_id, text: c.bank_name + ' (' + t('cards.' + c.card_type) + ') **** ' + c.last4, selected: c.is_default }));
    }
    $(id('nocard')).hidden = cards.length > 0;
    $(id('form')).hidden = cards.length === 0;
    if (kind === 'withdraw') await showAvailable();
  };
}

const enters = {};

export function wire() {
  enters.topup = moneyFlow('topup');
  enters.withdraw = moneyFlow('withdraw');
}

export const screens = {
  topup: { enter: () => enters.topup() },
  withdraw: { enter: () => enters.withdraw() },
};
