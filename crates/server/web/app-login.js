/* qianbao web, holder's app — the ways in without a session: sign in (#/login, with a code when
 * the browser is new to the server), reset the password (#/recover, which also unlocks sign-in),
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
    if (!otpRow.hidden) {
      body.otp = digits6('login-otp', 'otp');
    }
    let r;
    try {
      r = await api('POST', '/web/session', { body });
    } catch (err) {
      if (err.code === 'step_up_required') {
        otpRow.hidden = false;
        $('login-otp').focus();
      }
      if (err.code === 'invalid_credentials') { $('login-password').value = ''; err.input = $('login-password'); }
      if (err.code === 'otp_invalid' || err.code === 'otp_expired') err.input = $('login-otp');
      throw err;
    }
    rememberDevice(r.device_id);
    $('login-password').value = '';
    $('login-otp').value = '';
    otpRow.hidden = true;
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
