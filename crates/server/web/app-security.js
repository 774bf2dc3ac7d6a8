/* qianbao web, holder's app — security (#/security): status, a list of rows each opening its
 * own form (#/security/pin, /pinreset, /totp, /freeze, /close), signed-in devices with sign-out,
 * the authenticator app (TOTP: turn on with a first code, off with the payment password), change
 * or reset the payment password, freeze and unfreeze, closing the wallet (注销: with an SMS code
 * and the payment password; a refusal lists what to do first), and signing out here. The old
 * link `#/security?pinreset` opens the PIN reset; a frozen wallet shows its unfreeze form at once. */
import { $, announce, clear, el, qrImg, toast } from './dom.js';
import { api } from './http.js';
import { t, onLang, lang } from './i18n.js';
import { localError, showError } from './errors.js';
import { codeButton, digits6, form, maskedPhone } from './common.js';
import { dateTime } from './dates.js';
import { state, loadMe, levelText } from './app-state.js';
import { route, signedOut } from './app-router.js';
import { fetchCards } from './app-cards.js';
import { wireSheet } from './app-second-factor.js';

/* ------------------------------------------------------------- the authenticator app (TOTP) */

/** The enrolment shown while it waits for its first code: {secret, otpauth_uri, qr_svg}. */
let enrolment = null;

/** Shows whether TOTP is on, and what can be done next. */
function drawTotp(enabled) {
  const status = $('totp-status');
  status.textContent = t(enabled ? 'totp.on' : 'totp.off');
  status.setAttribute('data-i18n', enabled ? 'totp.on' : 'totp.off');
  status.dataset.enabled = enabled ? '1' : '0';
  status.className = 'pill ' + (enabled ? 'pill-green' : 'pill-grey');
  const row = $('sec-row-totp-state');
  row.textContent = t(enabled ? 'totp.on' : 'totp.off');
  row.setAttribute('data-i18n', enabled ? 'totp.on' : 'totp.off');
  row.className = status.className;
  if (enabled) enrolment = null;
  $('totp-enable').hidden = enabled || !!enrolment;
  $('totp-enrol').hidden = enabled || !enrolment;
  $('totp-off-form').hidden = !enabled;
  if (enrolment) {
    qrImg($('totp-qr'), enrolment.qr_svg, t('totp.qr_alt'));
    const secret = $('totp-secret');
    secret.textContent = enrolment.secret.replace(/(.{4})(?=.)/g, '$1 ');
    secret.dataset.secret = enrolment.secret;
    $('totp-uri').href = enrolment.otpauth_uri;
  }
}

async function loadTotp() {
  showError('totp-error', null);
  const r = await api('GET', '/v1/me/totp');
  drawTotp(!!(r && r.enabled));
}

function wireTotp() {
  $('totp-enable').addEventListener('click', async () => {
    const button = $('totp-enable');
    showError('totp-error', null);
    $('totp-done').hidden = true;
    button.disabled = true;
    try {
      enrolment = await api('POST', '/v1/me/totp');
      $('totp-code').value = '';
      showError('totp-confirm-error', null);
      drawTotp(false);
      announce(t('totp.scan_now'));
      $('totp-code').focus();
    } catch (e) {
      showError('totp-error', e);
      if (e.code === 'totp_already_enabled') drawTotp(true);
    } finally {
      button.disabled = false;
    }
  });
  $('totp-cancel').addEventListener('click', () => {
    enrolment = null;
    drawTotp(false);
    $('totp-enable').focus();
  });
  form('totp-confirm-form', async () => {
    const code = digits6('totp-code', 'totp');
    try {
      await api('POST', '/v1/me/totp/confirm', { body: { code } });
    } catch (err) {
      if (err.code === 'totp_invalid' || err.code === 'totp_locked') { $('totp-code').value = ''; err.input = $('totp-code'); }
      if (err.code === 'totp_already_enabled') drawTotp(true);
      if (err.code === 'totp_not_enabled') { enrolment = null; drawTotp(false); }
      throw err;
    }
    $('totp-code').value = '';
    drawTotp(true);
    const done = $('totp-done');
    done.setAttribute('data-i18n', 'totp.enabled_done');
    done.textContent = t('totp.enabled_done');
    done.hidden = false;
    toast(t('totp.enabled_done'), '', 'ok');
  });
  form('totp-off-form', async () => {
    const pin = digits6('totp-off-pin');
    try {
      await api('DELETE', '/v1/me/totp', { body: { pin } });
    } catch (err) {
      if (['pin_incorrect', 'pin_invalid', 'pin_locked'].includes(err.code)) { $('totp-off-pin').value = ''; err.input = $('totp-off-pin'); }
      if (err.code === 'totp_not_enabled') drawTotp(false);
      throw err;
    }
    $('totp-off-pin').value = '';
    drawTotp(false);
    const done = $('totp-done');
    done.setAttribute('data-i18n', 'totp.disabled_done');
    done.textContent = t('totp.disabled_done');
    done.hidden = false;
    toast(t('totp.disabled_done'), '', 'ok');
  });
}

/* ------------------------------------------------------------- closing the wallet (注销) */

/** Lists what keeps the wallet from closing, each in the page's language; hides an empty list. */
function drawBlockers(blockers) {
  const list = clear('close-blockers');
  for (const b of blockers || []) {
    list.append(el('li', { class: 'list-item', 'data-kind': b.kind },
      el('span', { class: 'li-main', text: lang() === 'zh' ? (b.detail_zh || b.detail) : (b.detail || b.detail_zh) })));
  }
  list.hidden = !list.children.length;
}

/**
 * When the balance is all that keeps the wallet open, offers to close it with the balance sent to
 * one of the holder's debit cards: a request staff check (a four-eyes command) before it runs.
 */
async function offerSweep(blockers) {
  const box = $('close-sweep');
  const onlyBalance = (blockers || []).length > 0 && blockers.every((b) => b.kind === 'balance');
  box.hidden = true;
  if (!onlyBalance) return;
  const debit = (await fetchCards()).filter((c) => c.card_type === 'debit' && c.status === 'active');
  if (!debit.length) return;
  const pick = clear('close-sweep-card');
  for (const c of debit) pick.append(el('option', { value: c.card_id, text: c.bank_name + ' ···· ' + c.last4 }));
  box.hidden = false;
}

function wireClose() {
  codeButton('close-send-code', () => state.me.phone, 'close', 'close-error');
  form('close-form', async (submitter) => {
    const sweep = submitter && submitter.id === 'close-sweep-submit' ? $('close-sweep-card').value : null;
    drawBlockers(null);
    const otp = digits6('close-otp', 'otp');
    const pin = digits6('close-pin');
    let answer;
    try {
      answer = await api('POST', '/v1/me/close', { body: sweep ? { otp, pin, sweep_to_card_id: sweep } : { otp, pin } });
    } catch (err) {
      if (err.code === 'close_blocked') { drawBlockers(err.blockers); await offerSweep(err.blockers); }
      if (err.code === 'otp_invalid' || err.code === 'otp_expired') err.input = $('close-otp');
      if (['pin_incorrect', 'pin_locked', 'pin_not_set'].includes(err.code)) { $('close-pin').value = ''; err.input = $('close-pin'); }
      throw err;
    }
    ['close-otp', 'close-pin'].forEach((x) => { $(x).value = ''; });
    if (answer && answer.status === 'pending_review') {
      // Staff send the balance to the card and close the wallet; the holder is told then.
      $('close-sweep').hidden = true;
      drawBlockers(null);
      const wait = $('close-waiting');
      wait.textContent = t('close.sweep_waiting');
      wait.hidden = false;
      announce(t('close.sweep_waiting'));
      return;
    }
    // Every session ended with the wallet, this one too.
    toast(t('close.done'), '', 'ok');
    signedOut();
  });
}

/* ------------------------------------------------------------- the security screen */

async function loadSessions() {
  const r = await api('GET', '/v1/me/sessions');
  const list = clear('sessions-list');
  for (const s of r.items || []) {
    list.append(el('li', { class: 'list-item', id: 'session-' + s.id },
      el('div', { class: 'li-main' },
        el('strong', { text: s.device_name || '—' }),
        s.current ? el('span', { class: 'pill pill-blue', text: t('sec.this_device') }) : null,
        el('span', { class: 'muted small block', text: t('sec.session_meta', { created: dateTime(s.created_at), seen: dateTime(s.last_seen_at) }) })),
      el('div', { class: 'li-actions' },
        el('button', { type: 'button', class: 'btn btn-small', id: 'session-logout-' + s.id, text: t('sec.session_out'),
          on: { click: () => endSession(s) } }))));
  }
}

/** Ends one signed-in device; this one's means signing out here. */
async function endSession(s) {
  try {
    if (s.current) { await logout(); return; }
    await api('DELETE', '/v1/me/sessions/' + encodeURIComponent(s.id));
    toast(t('sec.session_ended'), '', 'ok');
    await loadSessions();
  } catch (e) { showError('sec-error', e); }
}

async function logout() {
  try { await api('DELETE', '/web/session'); } catch (e) { if (e.code !== 'unauthorized') throw e; }
  toast(t('sec.logged_out'), '', 'ok');
  signedOut();
}

/** The forms the security centre opens, each below its row: `#/security/<view>`. */
const VIEWS = ['pin', 'pinreset', 'totp', 'freeze', 'close'];

/** The view the location names: `#/security/pin`, the old `#/security?pinreset`, else the list. */
function viewName() {
  const m = location.hash.match(/^#\/?security(?:\/([a-z]+))?(?:\?(.*))?$/);
  if (!m) return 'main';
  if (m[1] && VIEWS.includes(m[1])) return m[1];
  if (m[2] && m[2].startsWith('pinreset')) return 'pinreset';
  return 'main';
}

/** Shows one view (the list, or one form with its title and a back link to the list). */
function showView(view, frozen) {
  document.querySelectorAll('#screen-security .sec-view').forEach((box) => {
    const name = box.dataset.secView;
    // A frozen wallet's list starts with its unfreeze form: what the holder came for.
    box.hidden = !(name === view || (view === 'main' && name === 'freeze' && frozen));
  });
  const title = view === 'main' ? 'title.security' : 'sec.view.' + view;
  $('screen-title').textContent = t(title);
  $('screen-title').setAttribute('data-i18n', title);
  $('nav-back').setAttribute('href', view === 'main' ? '#/home' : '#/security');
  $('screen-security').dataset.view = view;
}

async function enter() {
  await loadMe();
  if (!state.me) { signedOut(); return; }
  const me = state.me;
  const view = viewName();
  showView(view, me.status === 'frozen');
  const freezeLabel = me.status === 'frozen' ? 'sec.unfreeze' : 'sec.freeze';
  $('sec-row-freeze-label').textContent = t(freezeLabel);
  $('sec-row-freeze-label').setAttribute('data-i18n', freezeLabel);
  $('sec-status').textContent = t('sec.status_line', { status: t('status.' + me.status), level: levelText(me.kyc_level), phone: maskedPhone(me.phone) });
  $('sec-status').dataset.status = me.status;
  $('unfreeze-card').hidden = me.status !== 'frozen';
  $('freeze-card').hidden = me.status === 'frozen';
  $('freeze-ask').hidden = true;
  $('freeze-submit').hidden = false;
  ['pinchg-done', 'pinreset-done', 'totp-done'].forEach((x) => { $(x).hidden = true; });
  showError('close-error', null);
  drawBlockers(null);
  await Promise.all([loadSessions(), loadTotp().catch((e) => showError('totp-error', e))]);
  if (view === 'pinreset') $('pinreset-otp').focus();
}

export function wire() {
  wireSheet();
  wireTotp();
  wireClose();
  $('logout').addEventListener('click', () => logout().catch((e) => showError('sec-error', e)));

  form('pinchg-form', async () => {
    const old = digits6('pinchg-old');
    const pin = digits6('pinchg-new');
    if ($('pinchg-new2').value.trim() !== pin) throw localError('pin_mismatch', $('pinchg-new2'));
    try {
      await api('PUT', '/v1/me/pin', { body: { pin, old_pin: old } });
    } catch (err) {
      if (['pin_incorrect', 'pin_locked'].includes(err.code)) { $('pinchg-old').value = ''; err.input = $('pinchg-old'); }
      if (['pin_weak', 'pin_invalid'].includes(err.code)) err.input = $('pinchg-new');
      throw err;
    }
    ['pinchg-old', 'pinchg-new', 'pinchg-new2'].forEach((x) => { $(x).value = ''; });
    $('pinchg-done').hidden = false;
    announce(t('sec.pin_changed'));
  });

  codeButton('pinreset-send-code', () => state.me.phone, 'reset_pin', 'pinreset-error');
  form('pinreset-form', async () => {
    const otp = digits6('pinreset-otp', 'otp');
    const idNumber = $('pinreset-id-number').value.trim().toUpperCase();
    if (!idNumber) throw localError('required', $('pinreset-id-number'));
    const card = $('pinreset-card-number').value.replace(/[\s-]/g, '');
    if (!card) throw localError('required', $('pinreset-card-number'));
    const pin = digits6('pinreset-pin');
    if ($('pinreset-pin2').value.trim() !== pin) throw localError('pin_mismatch', $('pinreset-pin2'));
    try {
      await api('POST', '/v1/me/pin/reset', { body: { otp, id_number: idNumber, card_number: card, pin } });
    } catch (err) {
      if (err.code === 'otp_invalid' || err.code === 'otp_expired') err.input = $('pinreset-otp');
      if (err.code === 'identity_mismatch') err.input = $(err.field === 'card_number' ? 'pinreset-card-number' : 'pinreset-id-number');
      if (['pin_weak', 'pin_invalid'].includes(err.code)) err.input = $('pinreset-pin');
      throw err;
    }
    ['pinreset-otp', 'pinreset-pin', 'pinreset-pin2', 'pinreset-card-number'].forEach((x) => { $(x).value = ''; });
    $('pinreset-done').hidden = false;
    announce(t('sec.pin_reset_done'));
  });

  $('freeze-submit').addEventListener('click', () => {
    $('freeze-ask').hidden = false;
    $('freeze-submit').hidden = true;
    $('freeze-confirm').focus();
  });
  $('freeze-cancel').addEventListener('click', () => {
    $('freeze-ask').hidden = true;
    $('freeze-submit').hidden = false;
    $('freeze-submit').focus();
  });
  form('freeze-form', async () => {
    await api('POST', '/v1/me/freeze', { body: {} });
    toast(t('sec.frozen'), '', 'warn');
    await enter();
  });

  codeButton('unfreeze-send-code', () => state.me.phone, 'unfreeze', 'unfreeze-error');
  form('unfreeze-form', async () => {
    const otp = digits6('unfreeze-otp', 'otp');
    const idNumber = $('unfreeze-id-number').value.trim().toUpperCase();
    if (!idNumber) throw localError('required', $('unfreeze-id-number'));
    const password = $('unfreeze-password').value;
    if (!password) throw localError('required', $('unfreeze-password'));
    try {
      await api('POST', '/v1/me/unfreeze', { body: { otp, id_number: idNumber, password } });
    } catch (err) {
      if (err.code === 'otp_invalid' || err.code === 'otp_expired') err.input = $('unfreeze-otp');
      if (err.code === 'identity_mismatch') err.input = $('unfreeze-id-number');
      if (err.code === 'invalid_credentials') { $('unfreeze-password').value = ''; err.input = $('unfreeze-password'); }
      throw err;
    }
    ['unfreeze-otp', 'unfreeze-password'].forEach((x) => { $(x).value = ''; });
    toast(t('sec.unfrozen'), '', 'ok');
    await enter();
  });
}

export const screens = { security: { enter, onLang: route } };
