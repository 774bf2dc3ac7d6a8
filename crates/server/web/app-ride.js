/* qianbao web, holder's app — the ride code 乘车码 (#/ride, docs/transit.md): the transit operator
 * to ride with (GET /v1/transit/operators; the last one chosen is remembered in this browser), its
 * signed QR (GET /v1/me/ride-code) refreshed by itself 10 s before it expires and again when the
 * page is shown after being hidden, with a countdown; and the holder's recent rides
 * (GET /v1/me/rides). While a fare is owed the server refuses the code (`fare_owed`): the QR goes
 * and a banner says so, with the way out — a top-up pays owed fares first. */
import { $, clear, el, qrImg } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { showError } from './errors.js';
import { formatMoney } from './money.js';
import { dateTime } from './dates.js';
import { state } from './app-state.js';

/** Where the operator last chosen is kept, so the code opens on it next time. */
const OPERATOR_KEY = 'qb_ride_operator';

/** Loads a fresh code now (while the screen is shown), or does nothing. */
let reload = null;

/** The operators offered (`[{id, name}]`), the rides shown and what is owed (fen), for redraws. */
let operators = [];
let rides = [];
let owed = 0;
/** Whether the server refused the code because a fare is owed. */
let owedRefused = false;

/** The operator remembered in this browser, or ''. */
function remembered() {
  try { return localStorage.getItem(OPERATOR_KEY) || ''; } catch (_) { return ''; }
}

/** Remembers the operator chosen (storage off: chosen for this page only). */
function remember(id) {
  try { localStorage.setItem(OPERATOR_KEY, id); } catch (_) { /* storage off */ }
}

/** The operator chosen in the list, or ''. */
function chosen() { return $('ride-operator').value || ''; }

/** The name of operator `id` as riders see it, or ''. */
function operatorName(id) {
  const op = operators.find((o) => o.id === id);
  return op ? op.name : '';
}

/** Fills the operator list, choosing the one remembered when it is still offered, else the first. */
function drawOperators() {
  const select = clear('ride-operator');
  for (const op of operators) select.append(el('option', { value: op.id, text: op.name }));
  const keep = remembered();
  if (operators.some((o) => o.id === keep)) select.value = keep;
  const none = operators.length === 0;
  $('ride-none').hidden = !none;
  $('ride-operator-row').hidden = none;
  $('ride-refresh').hidden = none;
}

/** Shows or hides the owed banner; the amount is said when the rides have told it. */
function drawOwed() {
  $('ride-owed').hidden = !owedRefused;
  $('ride-owed-text').textContent = owed > 0 ? t('ride.owed_amount', { amount: formatMoney(owed) }) : t('ride.owed');
}

/** "L1-01 → L1-06", a missing tap said as such (the ride was charged the maximum fare). */
function route(ride) {
  return (ride.entry_station || t('ride.no_entry')) + ' → ' + (ride.exit_station || t('ride.no_exit'));
}

/** One ride: when, where in and out (and with whom, when several operators are offered), the fare. */
function rideItem(ride) {
  const when = dateTime(ride.entry_at || ride.exit_at);
  const who = operators.length > 1 ? operatorName(ride.operator) : '';
  const capped = ride.charged < ride.fare ? t('ride.before_cap', { fare: formatMoney(ride.fare) }) : '';
  const pill = ride.status === 'owed' ? 'pill pill-held' : ride.status === 'free' ? 'pill pill-grey' : null;
  return el('li', { class: 'list-item', id: 'ride-' + ride.id, dataset: { status: ride.status } },
    el('div', { class: 'li-main' },
      el('strong', { text: route(ride) }),
      el('span', { class: 'muted small block', text: [when, who, capped].filter(Boolean).join(' · ') })),
    el('div', { class: 'li-amount' },
      el('span', { class: 'amount amount-out', text: formatMoney(ride.charged) }),
      pill ? el('span', { class: pill, text: t('ride.status.' + ride.status) }) : null));
}

/** Draws the recent rides (or says there are none). */
function drawRides() {
  const list = clear('ride-list');
  for (const ride of rides) list.append(rideItem(ride));
  $('ride-list-empty').hidden = rides.length > 0;
}

/** Loads the recent rides and what is owed, and draws them. */
async function loadRides() {
  const r = await api('GET', '/v1/me/rides');
  rides = r.rides || [];
  owed = r.owed || 0;
  drawRides();
  drawOwed();
}

/** Hides the code and its countdown (refused, or nothing to show). */
function hideCode() {
  $('ride-qr').hidden = true;
  $('ride-qr').removeAttribute('data-payload');
  $('ride-expires').textContent = '';
  $('ride-expires').removeAttribute('data-seconds');
}

/** Shows the screen: the operators, the code for the one chosen, the rides; the timers that
 * refresh the code live until the router calls state.leave. */
async function enter() {
  let refreshTimer = null;
  let tickTimer = null;
  let alive = true;
  /** Stops the refresh and the countdown (before a new code, or leaving the screen). */
  const stop = () => {
    if (refreshTimer) window.clearTimeout(refreshTimer);
    if (tickTimer) window.clearInterval(tickTimer);
    refreshTimer = null;
    tickTimer = null;
  };
  state.leave = () => { alive = false; reload = null; stop(); };
  /** Asks for a fresh code for the operator chosen and shows it, or why there is none. */
  async function load() {
    if (!alive) return;
    stop();
    showError('ride-error', null);
    const operator = chosen();
    if (!operator) { hideCode(); return; }
    try {
      const meta = {};
      const r = await api('GET', '/v1/me/ride-code', { query: { operator }, meta });
      if (!alive || operator !== chosen()) return;
      // Two loads may have crossed (a tap on refresh as the timer fired): one set of timers only.
      stop();
      owedRefused = false;
      drawOwed();
      qrImg($('ride-qr'), r.qr_svg, t('ride.alt', { name: operatorName(operator) }));
      $('ride-qr').dataset.payload = r.payload;
      // The code's life by the server's clock (its Date header), so a phone whose clock is off
      // still refreshes in time; a new code 10 s before the gates would stop taking it.
      const serverNow = meta.date ? new Date(meta.date).getTime() : NaN;
      const left = new Date(r.expires_at).getTime() - (Number.isNaN(serverNow) ? Date.now() : serverNow);
      const refreshIn = Math.max(5000, left - 10000);
      refreshTimer = window.setTimeout(load, refreshIn);
      const due = Date.now() + refreshIn;
      const show = () => {
        const n = Math.max(0, Math.ceil((due - Date.now()) / 1000));
        $('ride-expires').textContent = t('ride.expires', { n });
        $('ride-expires').dataset.seconds = String(n);
      };
      show();
      tickTimer = window.setInterval(show, 1000);
    } catch (err) {
      if (!alive) return;
      hideCode();
      // A fare owed is no failure of this screen: the banner says it, with the top-up link.
      owedRefused = err.code === 'fare_owed';
      drawOwed();
      if (!owedRefused) showError('ride-error', err);
    }
  }
  reload = load;
  owedRefused = false;
  drawOwed();
  hideCode();
  const list = await api('GET', '/v1/transit/operators');
  if (!alive) return;
  operators = Array.isArray(list) ? list : [];
  drawOperators();
  await Promise.all([load(), loadRides().catch((err) => showError('ride-error', err))]);
}

/** Redraws what is written in the page's language (the countdown redraws itself each second). */
function onLang() {
  drawOwed();
  drawRides();
  const qr = $('ride-qr');
  if (!qr.hidden) qr.alt = t('ride.alt', { name: operatorName(chosen()) });
}

/** Wires the operator list, the refresh button and the page's return to view, once at boot. */
export function wire() {
  $('ride-operator').addEventListener('change', () => {
    remember(chosen());
    if (reload) reload();
  });
  $('ride-refresh').addEventListener('click', () => { if (reload) reload(); });
  // A page hidden for a while (phone locked, another app) may come back with timers that were
  // held back: the code shown could be stale, so a fresh one is asked for at once.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && state.screen === 'ride' && reload) reload();
  });
}

export const screens = { ride: { enter, onLang } };
