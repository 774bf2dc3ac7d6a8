/* qianbao web, holder's app — home (#/home): the balance and what is held, the real-name level
 * and limits, banners while frozen or not fully open, and the quick actions (links in the HTML). */
import { $ } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { showError } from './errors.js';
import { formatMoney } from './money.js';
import { state, loadMe, levelText } from './app-state.js';
import { route, signedOut } from './app-router.js';
import { showPendingCharges } from './app-pending-charge.js';

/** Loads the CNY balance into #home-balance / #home-held and answers it. */
export async function loadBalance() {
  const r = await api('GET', '/v1/me/balance');
  const cny = ((r && r.balances) || []).find((b) => b.currency === 'CNY') || { available: 0, held: 0 };
  $('home-balance').textContent = formatMoney(cny.available);
  $('home-balance').dataset.fen = String(cny.available);
  $('home-held').textContent = formatMoney(cny.held);
  return cny;
}

async function enter() {
  showError('home-error', null);
  await loadMe();
  if (!state.me) { signedOut(); return; }
  const me = state.me;
  $('home-name').textContent = me.masked_name || me.phone;
  $('home-level').textContent = levelText(me.kyc_level);
  $('home-frozen').hidden = me.status !== 'frozen';
  const cont = $('home-continue');
  cont.hidden = me.kyc_level >= 2;
  $('home-continue-text').textContent = t('home.continue', { level: levelText(me.kyc_level) });
  const L = me.limits || {};
  const lim = (v) => (v === null || v === undefined ? t('home.no_limit') : formatMoney(v));
  $('home-limits').textContent = t('home.limits', { per: lim(L.per_payment), day: lim(L.per_day), cap: lim(L.balance_cap) });
  await loadBalance();
  // A shop's charge may be waiting for this holder's PIN.
  showPendingCharges();
}

export const screens = {
  // A live notification may have moved money: the balance follows.
  home: { enter, onLang: route, onNotice: () => { loadBalance().catch(() => {}); } },
};
