/* qianbao web, holder's app — home (#/home): the balance and what is not yet available (money
 * under review, delayed transfers on their way), the balances held in other currencies (each in
 * its own minor unit), the eye that hides every figure (kept in this browser), the real-name level and limits, the next step to a higher level (from /v1/me's
 * limits.next_level: the opening steps, then the face check), banners while frozen, the quick actions
 * and the "more services" tiles (links in the HTML). */
import { $, clear, el } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { showError } from './errors.js';
import { formatMinor, formatMoney } from './money.js';
import { state, loadMe, levelText } from './app-state.js';
import { route, signedOut } from './app-router.js';
import { showPendingCharges } from './app-pending-charge.js';
import { currencyName } from './currencies.js';
import { drawMark as drawLedgerMark } from './app-ledger-check.js';

/** Where the button of the next step goes, by the current level (L3 has none). */
const NEXT_HREF = { 0: '#/open', 1: '#/open', 2: '#/face' };

/** What a hidden figure shows instead. */
const HIDDEN = '****';

/** The eye's state, kept in this browser (not on the server: it only hides figures here). */
const EYE_KEY = 'qb_hide_amounts';
/** The eye's state for this page when the browser keeps no storage. */
let hideHere = false;
function amountsHidden() {
  try { const v = localStorage.getItem(EYE_KEY); return v === null ? hideHere : v === '1'; } catch (_) { return hideHere; }
}
function setAmountsHidden(hide) {
  hideHere = hide;
  try { localStorage.setItem(EYE_KEY, hide ? '1' : '0'); } catch (_) { /* storage off: kept for this page only */ }
}

/** The figures last loaded, so the eye can show them again without a call; `others` are the
 * balances in currencies other than CNY (`{currency, available, held}`). */
const figures = { available: 0, held: 0, review: 0, delayed: 0, others: [] };

/** One line per other currency held: its name, and what is available in it (and held, if any). */
function drawOthers(hide) {
  const list = clear('home-currencies');
  for (const b of figures.others) {
    const shown = (minor) => (hide ? HIDDEN : formatMinor(minor, b.currency));
    list.append(el('li', { id: 'home-ccy-' + b.currency, dataset: { currency: b.currency, minor: String(b.available) } },
      el('span', { class: 'ccy-name', text: currencyName(b.currency) }),
      el('span', { class: 'money-figure ccy-amount', text: shown(b.available) }),
      b.held ? el('span', { class: 'ccy-held', text: t('home.held') + ' ' + shown(b.held) }) : null));
  }
  list.hidden = !figures.others.length;
}

/** Writes every balance figure on home, as money or as "****" when hidden. */
function drawFigures() {
  const hide = amountsHidden();
  const shown = (fen) => (hide ? HIDDEN : formatMoney(fen));
  $('home-balance').textContent = shown(figures.available);
  $('home-held').textContent = shown(figures.held);
  $('home-held-review').textContent = t('home.held_review', { amount: shown(figures.review) });
  $('home-held-review').hidden = !figures.review;
  $('home-held-delayed').textContent = t('home.held_delayed', { amount: shown(figures.delayed) });
  $('home-held-delayed').hidden = !figures.delayed;
  $('home-held-parts').hidden = !figures.review && !figures.delayed;
  drawOthers(hide);
  $('home-eye').setAttribute('aria-pressed', hide ? 'true' : 'false');
  $('home-eye').classList.toggle('eye-hidden', hide);
}

/** What of the held money waits for a reviewer, and what is a delayed transfer on its way. */
async function loadHeldParts(held) {
  // Summed apart and set at once: two loads may overlap (home shown, then a live notice).
  let review = 0;
  let delayed = 0;
  if (held > 0) {
    const r = await api('GET', '/v1/me/transactions', { query: { limit: 100 } });
    for (const x of r.items || []) {
      if (x.direction !== 'out') continue;
      if (x.status === 'held_for_review') review += x.amount + (x.fee || 0);
      else if (x.status === 'scheduled') delayed += x.amount + (x.fee || 0);
    }
  }
  figures.review = review;
  figures.delayed = delayed;
  drawFigures();
}

/** Loads the CNY balance into #home-balance / #home-held (and the other currencies below them)
 * and answers the CNY one. */
export async function loadBalance() {
  const r = await api('GET', '/v1/me/balance');
  const all = (r && r.balances) || [];
  const cny = all.find((b) => b.currency === 'CNY') || { available: 0, held: 0 };
  figures.available = cny.available;
  figures.held = cny.held;
  figures.others = all.filter((b) => b.currency !== 'CNY');
  $('home-balance').dataset.fen = String(cny.available);
  drawFigures();
  loadHeldParts(cny.held).catch(() => {});
  return cny;
}

/** The card that says what raises the level, with the button that does it (hidden at L3). */
function drawNextStep(me) {
  const level = Math.max(0, Math.min(3, me.kyc_level | 0));
  const card = $('home-continue');
  card.hidden = !(me.limits && me.limits.next_level) || !NEXT_HREF[level];
  if (card.hidden) return;
  $('home-continue-text').textContent = t('home.next.' + level, { level: levelText(level) });
  const link = $('home-continue-link');
  link.href = NEXT_HREF[level];
  link.textContent = t('home.next_go.' + level);
}

async function enter() {
  showError('home-error', null);
  await loadMe();
  if (!state.me) { signedOut(); return; }
  const me = state.me;
  $('home-name').textContent = me.masked_name || me.phone;
  $('home-level').textContent = levelText(me.kyc_level);
  $('home-frozen').hidden = me.status !== 'frozen';
  drawNextStep(me);
  // The ledger check's last outcome (app-ledger-check.js): verified with its date, or the alarm.
  drawLedgerMark();
  const L = me.limits || {};
  const lim = (v) => (v === null || v === undefined ? t('home.no_limit') : formatMoney(v));
  $('home-limits').textContent = t('home.limits', { per: lim(L.per_payment), day: lim(L.per_day), cap: lim(L.balance_cap) });
  await loadBalance();
  // A shop's charge may be waiting for this holder's PIN.
  showPendingCharges();
}

export function wire() {
  $('home-eye').addEventListener('click', () => {
    setAmountsHidden(!amountsHidden());
    drawFigures();
  });
}

export const screens = {
  // A live notification may have moved money: the balance follows.
  home: { enter, onLang: route, onNotice: () => { loadBalance().catch(() => {}); } },
};
