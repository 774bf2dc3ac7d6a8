/* qianbao web, holder's app — the ways in without a session: sign in (#/login, with an SMS code
 * when the browser is new to the server, and the authenticator app's code once TOTP is on), reset the password (#/recover, which also unlocks sign-in),
 * and freeze the wallet after losing the phone (#/lost). */
import { $, announce } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { localError } from './errors.js';
import { codeButton, digits6, form, phoneOf } from './common.js';
import { state, normalizePhone } from './app-state.js';
import { go } from './app-router.js';
import { deviceName, knownDevice, rememberDevice, signedIn } from './app-session.js';

function wireLogin() {
  codeButton('login-send-code', () => phoneOf('login-phone'), 'login', 'login-error');
  form('login-form', async () => {
    const phone = phoneOf('login-phone');
    const password = $('login-password').value;
    if (!password) throw localError('required', $('login-password'));
    const body = { phone, password, device_id: knownDevice(), device_name: deviceName() };
    const otpRow = $('login-otp-row');
    const totpRow = $('login-totp-row');
    if (!otpRow.hidden) {
      body.otp = digits6('login-otp', 'otp');
    }
    if (!totpRow.hidden) {
      body.totp = digits6('login-totp', 'totp');
    }
    let r;
    try {
      r = await api('POST', '/web/session', { body });
    } catch (err) {
      if (err.code === 'step_up_required') {
        // Which codes: an SMS code for a new device, the app's code once TOTP is on, or both.
        const methods = Array.isArray(err.methods) && err.methods.length ? err.methods : ['sms'];
        otpRow.hidden = !methods.includes('sms');
        totpRow.hidden = !methods.includes('totp');
        $(otpRow.hidden ? 'login-totp' : 'login-otp').focus();
      }
      if (err.code === 'invalid_credentials') { $('login-password').value = ''; err.input = $('login-password'); }
      if (err.code === 'otp_invalid' || err.code === 'otp_expired') err.input = $('login-otp');
      if (err.code === 'totp_invalid' || err.code === 'totp_locked') { $('login-totp').value = ''; err.input = $('login-totp'); }
      throw err;
    }
    rememberDevice(r.device_id);
    $('login-password').value = '';
    $('login-otp').value = '';
    $('login-totp').value = '';
    otpRow.hidden = true;
    totpRow.hidden = true;
    await signedIn();
    state.onboard.step = 0;
    go('#/home');
  });
}

function wireRecover() {
  codeButton('reset-send-code', () => phoneOf('reset-phone'), 'reset_password', 'reset-error');
  form('reset-form', async () => {
    const phone = phoneOf('reset-phone');
    const otp = digits6('reset-otp', 'otp');
    const idNumber = $('reset-id-number').value.trim().toUpperCase();
    const pw = $('reset-password').value;
    if (pw !== $('reset-password-2').value) throw localError('password_mismatch', $('reset-password-2'));
    const body = { phone, otp, new_password: pw };
    if (idNumber) body.id_number = idNumber;
    try {
      await api('POST', '/v1/password/reset', { body });
    } catch (err) {
      if (err.code === 'otp_invalid' || err.code === 'otp_expired') err.input = $('reset-otp');
      if (err.code === 'identity_mismatch' || err.code === 'id_number_invalid') err.input = $('reset-id-number');
      if (err.code === 'password_weak') err.input = $('reset-password');
      throw err;
    }
    $('reset-password').value = '';
    $('reset-password-2').value = '';
    $('reset-otp').value = '';
    $('reset-form').hidden = true;
    $('reset-done').hidden = false;
    const link = $('reset-to-login');
    if (state.me) { link.href = '#/security'; link.setAttribute('data-i18n', 'nav.security'); } else { link.href = '#/login'; link.setAttribute('data-i18n', 'welcome.login'); }
    link.textContent = t(link.getAttribute('data-i18n'));
    announce(t('reset.done'));
    link.focus();
  });
}

function wireLost() {
  form('lost-form', async () => {
    const phone = phoneOf('lost-phone');
    const password = $('lost-password').value;
    if (!password) throw localError('required', $('lost-password'));
    await api('POST', '/v1/freeze', { body: { phone, password } });
    $('lost-password').value = '';
    $('lost-form').hidden = true;
    $('lost-done').hidden = false;
    announce(t('lost.done'));
  });
}

export function wire() {
  wireLogin();
  wireRecover();
  wireLost();
}

export const screens = {
  recover: {
    enter() {
      $('reset-form').hidden = false;
      $('reset-done').hidden = true;
      if (state.me && !$('reset-phone').value) $('reset-phone').value = normalizePhone(state.me.phone);
    },
  },
  lost: {
    enter() {
      $('lost-form').hidden = false;
      $('lost-done').hidden = true;
    },
  },
};
