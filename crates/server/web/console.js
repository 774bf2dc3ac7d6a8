/* qianbao web — the operator console at `/console`: set-up from the one-time link, sign-in with a
 * password and the authenticator's code (the server keeps the session in an HttpOnly cookie of its
 * own), and the sections this staff member's role may see, one per hash route. Every rule is the
 * server's: a section the role may not see is not offered, but the server refuses it anyway. */
import { addStrings, initLang, onLang, t } from './i18n.js';
import * as zh from './strings-zh.js';
import * as en from './strings-en.js';
import * as strings from './console-strings.js';
import { $, clear, el, qrImg, toast } from './dom.js';
import { api } from './http.js';
import { localError } from './errors.js';
import { digits6, form } from './common.js';
import { S, can } from './console-state.js';
import { initHolders, showHolders } from './console-holders.js';
import { initCommands, showCommands } from './console-commands.js';
import { initQueues, showClosing, showKyc, showRisk } from './console-queues.js';
import { initRecon, showRecon } from './console-recon.js';
import { initRefunds, showRefunds } from './console-refunds.js';
import { initCampaigns, showCampaigns } from './console-campaigns.js';
import { initPolicy, showPolicy } from './console-policy.js';
import { initStaff, showStaff } from './console-staff.js';
import { initAudit, showAudit } from './console-audit.js';
import { showOverview } from './console-overview.js';
import { enhancePins } from './pin-boxes.js';

addStrings('zh', { ...zh.shared, ...strings.zh });
addStrings('en', { ...en.shared, ...strings.en });

/** The sections, in the order the left-hand list shows them, with what each needs to be seen. */
const SECTIONS = [
  { id: 'overview', show: showOverview },
  { id: 'holders', needs: 'holders', show: showHolders },
  { id: 'commands', show: showCommands },
  { id: 'kyc', needs: 'kyc', show: showKyc },
  { id: 'risk', needs: 'risk', show: showRisk },
  { id: 'closing', needs: 'holders', show: showClosing },
  { id: 'recon', needs: 'money', show: showRecon },
  { id: 'refunds', needs: 'money', manage: true, show: showRefunds },
  // Seen by whoever views merchants; launching and ending need money.manage, as a refund does.
  { id: 'campaigns', needs: 'merchants', show: showCampaigns },
  { id: 'policy', needs: 'policy', show: showPolicy },
  { id: 'staff', needs: 'staff', show: showStaff },
  { id: 'audit', needs: 'audit', show: showAudit },
];

function allowed(section) {
  return !section.needs || can(section.needs, section.manage ? 'manage' : 'view');
}

function screen(name) {
  $('boot').hidden = true;
  $('signin-screen').hidden = name !== 'signin';
  $('setup-screen').hidden = name !== 'setup';
  $('console-shell').hidden = name !== 'shell';
  $('console-signout').hidden = name !== 'shell';
  $('console-who').textContent = name === 'shell' && S.me ? '· ' + S.me.staff.name + ' (' + S.me.staff.role + ')' : '';
}

function buildNav() {
  const list = clear('console-nav');
  for (const s of SECTIONS.filter(allowed)) {
    list.append(el('li', null, el('a', { href: '#/' + s.id, id: 'nav-' + s.id, dataset: { i18n: 'console.nav.' + s.id }, text: t('console.nav.' + s.id) })));
  }
}

/** Shows the section the hash names (its sub-path goes to the section), or the overview. */
export async function route() {
  if (!S.me) return;
  const path = (location.hash || '').replace(/^#\/?/, '').split('/');
  const section = SECTIONS.find((s) => s.id === path[0] && allowed(s)) || SECTIONS[0];
  for (const s of SECTIONS) {
    const view = $('view-' + s.id);
    if (view) view.hidden = s !== section;
    const link = $('nav-' + s.id);
    if (link) {
      if (s === section) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
  }
  S.section = section.id;
  try {
    await section.show(path.slice(1));
  } catch (err) {
    if (!signedOut(err)) toast(t('console.load_failed'), err.detail || err.code || '', 'warn');
  }
}

/** A 401 anywhere means the session ended (idle time, sign-out elsewhere): back to sign-in. */
export function signedOut(err) {
  if (err && err.status === 401) {
    S.me = null;
    screen('signin');
    $('signin-phone').focus();
    return true;
  }
  return false;
}

async function loadMe() {
  try {
    S.me = await api('GET', '/v1/console/me');
  } catch (err) {
    if (err.status === 401) { S.me = null; return false; }
    throw err;
  }
  S.permissions = new Set(S.me.permissions);
  return true;
}

async function enter() {
  screen('shell');
  buildNav();
  await route();
  $('main').focus();
}

// ------------------------------------------------------------ set-up from the one-time link
function setupToken() {
  const m = /(?:^#|&)setup=([^&]+)/.exec(location.hash || '');
  return m ? decodeURIComponent(m[1]) : null;
}

function initSetup() {
  form('setup-form', async () => {
    const password = $('setup-password').value;
    if (password.length < 10) throw localError('password_short', $('setup-password'));
    const secret = await api('POST', '/v1/console/setup', { body: { token: S.setupToken, password } });
    $('setup-secret').textContent = secret.secret;
    qrImg($('setup-qr'), secret.qr_svg, t('console.setup_qr_alt'));
    $('setup-form').hidden = true;
    $('setup-totp-form').hidden = false;
    $('setup-code').focus();
  });
  form('setup-totp-form', async () => {
    const code = digits6('setup-code', 'totp');
    await api('POST', '/v1/console/setup/confirm', { body: { token: S.setupToken, code } });
    S.setupToken = null;
    history.replaceState(null, '', '/console');
    toast(t('console.setup_done'), '', 'ok');
    screen('signin');
    $('signin-phone').focus();
  });
}

// ------------------------------------------------------------ sign-in and out
function initSignIn() {
  form('signin-form', async () => {
    const phone = $('signin-phone').value.replace(/[\s-]/g, '');
    if (!phone) throw localError('required', $('signin-phone'));
    const password = $('signin-password').value;
    if (!password) throw localError('required', $('signin-password'));
    const totp = digits6('signin-totp', 'totp');
    await api('POST', '/v1/console/sessions', { body: { phone, password, totp } });
    $('signin-password').value = '';
    $('signin-totp').value = '';
    await loadMe();
    await enter();
  });
  $('console-signout').addEventListener('click', async () => {
    try { await api('DELETE', '/v1/console/sessions/current'); } catch (_) { /* already gone */ }
    S.me = null;
    screen('signin');
  });
}

async function boot() {
  initLang();
  enhancePins();
  initSetup();
  initSignIn();
  initHolders();
  initCommands();
  initQueues();
  initRecon();
  initRefunds();
  initCampaigns();
  initPolicy();
  initStaff();
  initAudit();
  onLang(() => { if (S.me) { buildNav(); route(); } });
  window.addEventListener('hashchange', () => { if (!setupToken()) route(); });
  S.setupToken = setupToken();
  if (S.setupToken) {
    screen('setup');
  } else if (await loadMe()) {
    await enter();
  } else {
    screen('signin');
  }
  document.body.dataset.ready = '1';
}

boot();
