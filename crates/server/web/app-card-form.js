/* qianbao web, holder's app — binding a bank card: one form (#card-box) that step 4 of the
 * opening and the cards screen both show, moved into the host that shows it. The card details
 * go to POST /v1/me/cards, then the bank's SMS code confirms it. */
import { $, announce } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { codeError, localError, showError } from './errors.js';
import { digits6, form, phoneOf } from './common.js';
import { state, loadMe, normalizePhone } from './app-state.js';

/** What the host does once a card is bound: fn({bank_name, last4, …}). */
let whenBound = null;
/** The card waiting for the bank's code: {id, phone}. */
let pendingCard = null;

/** Shows the card form inside `hostId`; `bound(card)` runs after a card is confirmed. */
export function placeCardBox(hostId, bound) {
  whenBound = bound;
  const host = $(hostId);
  if ($('card-box').parentNode !== host) host.append($('card-box'));
}

/** Back to the card details, forgetting a card that waits for its code. */
export function resetCardBox() {
  pendingCard = null;
  $('card-form').hidden = false;
  $('card-otp-form').hidden = true;
  $('card-otp').value = '';
  showError('card-error', null);
  showError('card-otp-error', null);
}

/** Fills the holder's name, ID number and phone from the opening steps, where empty. */
export function prefillCard() {
  const ob = state.onboard;
  if (!$('card-holder').value && ob.name) $('card-holder').value = ob.name;
  if (!$('card-id-number').value && ob.idNumber) $('card-id-number').value = ob.idNumber;
  if (!$('card-phone').value) {
    const p = state.me ? normalizePhone(state.me.phone) : normalizePhone(ob.phone);
    if (p) $('card-phone').value = p;
  }
}

export function wire() {
  form('card-form', async () => {
    const number = $('card-number').value.replace(/[\s-]/g, '');
    if (!/^\d{13,19}$/.test(number)) throw codeError('card_invalid', $('card-number'));
    const holder = $('card-holder').value.trim();
    if (!holder) throw localError('required', $('card-holder'));
    const idNumber = $('card-id-number').value.trim().toUpperCase();
    if (!/^\d{17}[\dX]$/.test(idNumber)) throw codeError('id_number_invalid', $('card-id-number'));
    const phone = phoneOf('card-phone');
    const body = { card_number: number, holder_name: holder, id_number: idNumber, reserved_phone: phone };
    const expiry = $('card-expiry').value.trim();
    const cvv = $('card-cvv').value.trim();
    if (expiry) body.expiry = expiry;
    if (cvv) body.cvv = cvv;
    try {
      const r = await api('POST', '/v1/me/cards', { body });
      pendingCard = { id: r.card_id, phone };
    } catch (err) {
      if (['card_invalid', 'card_unsupported', 'card_already_bound', 'card_inactive', 'bank_rejected'].includes(err.code)) err.input = $('card-number');
      // A credit card's expiry or CVV missing or wrong: the server names which.
      if (err.code === 'card_invalid' && err.field === 'expiry') err.input = $('card-expiry');
      if (err.code === 'card_invalid' && err.field === 'cvv') err.input = $('card-cvv');
      if (err.code === 'card_holder_mismatch') err.input = $('card-holder');
      throw err;
    }
    $('card-cvv').value = '';
    $('card-form').hidden = true;
    $('card-otp-form').hidden = false;
    $('card-otp-sent').textContent = t('card.code_sent', { phone: phone.slice(0, 3) + '****' + phone.slice(-4) });
    $('card-otp').focus();
  });

  $('card-otp-back').addEventListener('click', () => { resetCardBox(); $('card-number').focus(); });

  form('card-otp-form', async () => {
    const otp = digits6('card-otp', 'otp');
    if (!pendingCard) { resetCardBox(); return; }
    let r;
    try {
      r = await api('POST', '/v1/me/cards/' + encodeURIComponent(pendingCard.id) + '/confirm', { body: { otp } });
    } catch (err) {
      err.input = $('card-otp');
      throw err;
    }
    announce(t('card.bound', { bank: r.bank_name, last4: r.last4 }));
    $('card-number').value = '';
    $('card-expiry').value = '';
    resetCardBox();
    await loadMe();
    if (whenBound) await whenBound(r);
  });
}
