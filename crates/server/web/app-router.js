/* qianbao web, holder's app — the hash routes (#/home, #/open, …): which screen shows, who may
 * see it (signed out, only the public ones), the title and back link, each screen's enter()
 * when it is shown, and the links an error offers to the screen that helps. */
import { $ } from './dom.js';
import { t } from './i18n.js';
import { showError } from './errors.js';
import { state } from './app-state.js';

/** Where the back link of a screen below another goes (else home, or welcome signed out). */
const BACK = { record: '#/records', redpacket: '#/redpackets', campaign: '#/coupons' };

/** The routes a signed-out visitor may see. */
const PUBLIC = ['welcome', 'open', 'login', 'recover', 'lost'];

/**
 * The screens, by route: { enter() when shown, onLang() after a language switch, onNotice() when
 * a live notification arrives while shown } — each optional. Set once at boot.
 */
let screens = {};
const signedOutHooks = [];

export function setScreens(table) { screens = table; }

/** The definition of the screen shown now, if it has one. */
export function currentScreen() { return (state.screen && screens[state.screen]) || null; }

function routeName() {
  const h = location.hash.replace(/^#\/?/, '');
  return h.split(/[/?]/)[0];
}

/** Shows `hash` (again, if it is shown already). */
export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

/** Shows the screen the location names, or the one a visitor in this state may see instead. */
export async function route() {
  let name = routeName();
  if (!document.getElementById('screen-' + name)) name = state.me ? 'home' : 'welcome';
  if (!state.me && !PUBLIC.includes(name)) name = 'welcome';
  if (state.me && (name === 'welcome' || name === 'login' || name === 'lost')) name = 'home';
  // A screen may have sub-views below its route (#/security/pin): only a wrong route is rewritten.
  if (name !== routeName()) {
    history.replaceState(null, '', '#/' + name);
  }
  if (state.leave) { try { state.leave(); } catch (e) { console.error(e); } state.leave = null; }
  state.screen = name;
  $('boot').hidden = true;
  document.querySelectorAll('main > .screen').forEach((s) => { s.hidden = s.dataset.screen !== name; });
  $('screen-title').textContent = t('title.' + name);
  $('screen-title').setAttribute('data-i18n', 'title.' + name);
  const back = $('nav-back');
  back.hidden = name === 'home' || name === 'welcome';
  back.setAttribute('href', BACK[name] || (state.me ? '#/home' : '#/welcome'));
  $('nav-notices-top').hidden = !state.me;
  const screen = screens[name];
  if (screen && screen.enter) {
    try { await screen.enter(); } catch (e) { handleLoadError(e); }
  }
  const main = $('main');
  if (document.activeElement === document.body || !main.contains(document.activeElement)) {
    main.focus({ preventScroll: true });
  }
  window.scrollTo(0, 0);
}

function handleLoadError(err) {
  if (err && err.code === 'unauthorized') { signedOut(); return; }
  const box = document.querySelector('#screen-' + state.screen + ' .error');
  showError(box, err);
}

/** Runs fn() whenever the session ends (before the welcome screen shows). */
export function onSignedOut(fn) { signedOutHooks.push(fn); }

/** The session is gone: forget the holder and show the welcome screen. */
export function signedOut() {
  state.me = null;
  signedOutHooks.forEach((fn) => fn());
  go('#/welcome');
}

/** After a language switch: the title, then whatever the shown screen redraws. */
export function languageChanged() {
  if (!state.screen) return;
  $('screen-title').textContent = t('title.' + state.screen);
  const screen = currentScreen();
  if (screen && screen.onLang) screen.onLang();
}

/** The link an error offers to what helps next (shown after the message), or null. */
export function errorLink(err) {
  const me = state.me;
  switch (err.code) {
    case 'login_locked': return { href: '#/recover', label: t('login.forgot') };
    case 'pin_locked': return { href: '#/security?pinreset', label: t('sec.pin_reset') };
    case 'phone_taken': return { href: '#/login', label: t('welcome.login') };
    case 'kyc_required': return me ? { href: '#/open', label: t('home.continue_link') } : null;
    case 'pin_not_set': return { href: '#/open', label: t('open.set_pin') };
    case 'account_frozen': return me ? { href: '#/security', label: t('sec.unfreeze') } : null;
    // A top-up adds yuan: it helps only when yuan were short (a screen spending another currency
    // names it on the error as `currency`).
    case 'insufficient_balance': return me && state.screen !== 'topup' && (!err.currency || err.currency === 'CNY') ? { href: '#/topup', label: t('act.topup') } : null;
    case 'limit_exceeded': return me && me.kyc_level < 2 ? { href: '#/open', label: t('home.continue_link') } : null;
    case 'unauthorized': return { href: '#/login', label: t('welcome.login') };
    default: return null;
  }
}
