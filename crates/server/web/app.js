/* qianbao web — the holder's app at `/`: one page with hash routes (#/home, #/open, …), made of
 * ES modules (no framework, no build step). This entry registers the strings, wires every
 * screen once, learns the server's settings and the session, and shows the first screen.
 * It talks to the server only through http.js: cookie session, CSRF header, problem+json. */
import { addStrings, initLang, onLang } from './i18n.js';
import * as zh from './strings-zh.js';
import * as en from './strings-en.js';
import { api } from './http.js';
import { setErrorLink } from './errors.js';
import { state, loadMe } from './app-state.js';
import { errorLink, languageChanged, onSignedOut, route, setScreens } from './app-router.js';
import * as notices from './app-notices.js';
import * as cardForm from './app-card-form.js';
import * as open from './app-open.js';
import * as login from './app-login.js';
import * as home from './app-home.js';
import * as paycode from './app-paycode.js';
import * as ride from './app-ride.js';
import * as receive from './app-receive.js';
import * as scan from './app-scan.js';
import * as transfer from './app-transfer.js';
import * as topupWithdraw from './app-topup-withdraw.js';
import * as convert from './app-convert.js';
import * as redPackets from './app-redpackets.js';
import * as coupons from './app-coupons.js';
import * as points from './app-points.js';
import * as budgets from './app-budgets.js';
import * as bills from './app-bills.js';
import * as records from './app-records.js';
import * as cards from './app-cards.js';
import * as security from './app-security.js';
import * as shop from './app-shop.js';
import * as devPanel from './app-dev-panel.js';
import * as pendingCharge from './app-pending-charge.js';
import * as face from './app-face.js';
import * as ledgerCheck from './app-ledger-check.js';
import { enhancePins } from './pin-boxes.js';

/** Every part of the app: wire() once at boot; `screens` by route. */
const PARTS = [open, cardForm, login, home, paycode, ride, receive, scan, transfer, topupWithdraw, convert, redPackets, coupons, points, bills, budgets, records, cards, security, notices, shop, pendingCharge, face, ledgerCheck];

addStrings('zh', { ...zh.shared, ...zh.app });
addStrings('en', { ...en.shared, ...en.app });
setErrorLink(errorLink);

async function boot() {
  initLang();
  onLang(languageChanged);
  enhancePins();
  const screens = {};
  for (const part of PARTS) {
    if (part.wire) part.wire();
    Object.assign(screens, part.screens || {});
  }
  setScreens(screens);
  onSignedOut(() => { notices.stopStream(); notices.setBadge(0); });

  try {
    const cfg = await api('GET', '/web/config');
    state.sandbox = !!(cfg && cfg.sandbox);
  } catch (_) { state.sandbox = false; }
  await loadMe();
  if (state.me) { notices.startStream(); notices.refreshBadge(); }
  if (state.sandbox) devPanel.start();
  window.addEventListener('hashchange', route);
  // A page left behind (even one kept in the back/forward cache) must not keep its live stream:
  // a browser opens at most six connections to a site, and stale streams would use them all.
  window.addEventListener('pagehide', notices.stopStream);
  window.addEventListener('pageshow', (ev) => { if (ev.persisted && state.me) notices.startStream(); });
  await route();
  document.body.dataset.ready = '1';
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
