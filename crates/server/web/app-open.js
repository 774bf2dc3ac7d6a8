/* qianbao web, holder's app — opening a wallet in six steps (#/open): phone and SMS code,
 * password (POST /web/signup), real name and ID photo, bank card, payment password, done. A
 * signed-in holder lands on the first step not done yet. */
import { $, announce, imageType } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { codeError, invalid, localError, reportError } from './errors.js';
import { codeButton, digits6, form, phoneOf } from './common.js';
import { state, loadMe } from './app-state.js';
import { deviceName, rememberDevice, signedIn } from './app-session.js';
import { placeCardBox, prefillCard } from './app-card-form.js';
import { wireCapture } from './photo-capture.js';

/** The step to show: signed out 1 (or 2 mid-sign-up); else by the real-name level. */
function openStepFor(me) {
  const ob = state.onboard;
  if (!me) return ob.step === 2 ? 2 : 1;
  if (ob.step >= 3) return ob.step;
  if (me.kyc_level < 1) return 3;
  if (me.kyc_level < 2) return 4;
  return 5;
}

function stepLabel(n) {
  $('open-step-label').textContent = t('open.step_of', { n, name: t('open.s' + n) });
}

function showStep(n) {
  state.onboard.step = n;
  for (let i = 1; i <= 6; i++) {
    $('open-step-' + i).hidden = i !== n;
    const li = $('step-ind-' + i);
    li.classList.toggle('done', i < n);
    li.classList.toggle('current', i === n);
    if (i === n) li.setAttribute('aria-current', 'step'); else li.removeAttribute('aria-current');
  }
  stepLabel(n);
  if (n === 4) {
    placeCardBox('card-host-onboard', () => showStep(5));
    prefillCard();
  }
  const first = $('open-step-' + n).querySelector('input:not([disabled]):not([type=file]), button');
  if (first && state.screen === 'open') window.setTimeout(() => first.focus(), 0);
}

export function wire() {
  codeButton('signup-send-code', () => phoneOf('signup-phone'), 'signup', 'signup-error-1');

  form('signup-form-1', async () => {
    const phone = phoneOf('signup-phone');
    const otp = digits6('signup-otp', 'otp');
    state.onboard.phone = phone;
    state.onboard.otp = otp;
    showStep(2);
  });

  $('signup-back').addEventListener('click', () => { $('signup-otp-fix').hidden = true; showStep(1); });
  codeButton('signup-resend-code', () => state.onboard.phone, 'signup', 'signup-error-2');

  form('signup-form-2', async () => {
    const pw = $('signup-password').value;
    if (pw.length < 8) throw codeError('password_weak', $('signup-password'), { reason: 'too_short' });
    if (pw !== $('signup-password-2').value) throw localError('password_mismatch', $('signup-password-2'));
    // The code is typed again here after the server refused it (there is no call that checks a
    // code alone: only the sign-up itself uses it).
    if (!$('signup-otp-fix').hidden) state.onboard.otp = digits6('signup-otp-2', 'otp');
    try {
      const r = await api('POST', '/web/signup', {
        body: { phone: state.onboard.phone, otp: state.onboard.otp, password: pw, device_name: deviceName() },
      });
      rememberDevice(r.device_id);
    } catch (err) {
      // The code is only checked now: a wrong or expired one is typed again on this step, the
      // passwords kept; a problem with the phone goes back to step 1.
      if (err.code === 'otp_invalid' || err.code === 'otp_expired') {
        $('signup-otp-fix').hidden = false;
        $('signup-otp-2').value = '';
        err.input = $('signup-otp-2');
        throw err;
      }
      if (['phone_invalid', 'phone_taken', 'otp_rate_limited', 'account_restricted'].includes(err.code)) {
        showStep(1);
        reportError('signup-error-1', err);
        invalid(err.code === 'otp_rate_limited' ? 'signup-otp' : 'signup-phone');
        return;
      }
      if (err.code === 'password_weak') err.input = $('signup-password');
      throw err;
    }
    $('signup-password').value = '';
    $('signup-password-2').value = '';
    $('signup-otp-fix').hidden = true;
    await signedIn();
    announce(t('open.signed_up'));
    showStep(3);
  });

  // The ID photo is taken with the camera (or chosen); "使用这张" sends the form as 提交认证 does.
  wireCapture('id-photo', () => $('id-form').requestSubmit($('id-submit')));

  form('id-form', async () => {
    const name = $('id-name').value.trim();
    const idNumber = $('id-number').value.trim().toUpperCase();
    const me = state.me;
    if ((!me || me.kyc_level < 1) && !(me && me.kyc_review_pending)) {
      if (!name) throw localError('required', $('id-name'));
      if (!/^\d{17}[\dX]$/.test(idNumber)) throw codeError('id_number_invalid', $('id-number'));
      const file = $('id-photo').files[0];
      if (!file) throw localError('file', $('id-photo'));
      try {
        const r = await api('POST', '/v1/me/identity', { body: { name, id_number: idNumber } });
        state.onboard.name = name;
        state.onboard.idNumber = idNumber;
        // 202 pending_review: the verifier could not decide and staff will; no level yet.
        const pending = r && r.status === 'pending_review';
        if (state.me && pending) state.me.kyc_review_pending = true;
        else if (state.me) state.me.kyc_level = Math.max(state.me.kyc_level, r.kyc_level || 1);
        $('id-name').disabled = true;
        $('id-number').disabled = true;
        const v = $('id-verified');
        v.textContent = pending ? t('open.review_pending') : t('open.verified', { date: r.birth_date || '' });
        v.hidden = false;
      } catch (err) {
        if (err.code === 'id_number_invalid' || err.code === 'underage') err.input = $('id-number');
        throw err;
      }
    } else if (!state.onboard.name) {
      state.onboard.name = name;
      state.onboard.idNumber = idNumber;
    }
    const file = $('id-photo').files[0];
    if (!file) throw localError('file', $('id-photo'));
    try {
      await api('PUT', '/v1/me/identity/photo', { raw: file, contentType: imageType(file) });
    } catch (err) {
      if (err.code === 'photo_invalid' || err.code === 'unsupported_media_type' || err.code === 'payload_too_large') err.input = $('id-photo');
      throw err;
    }
    announce(t('open.photo_ok'));
    await loadMe();
    if (state.me && state.me.kyc_review_pending && state.me.kyc_level < 1) {
      // Nothing more to do until a reviewer decides; the holder is told either way.
      const v = $('id-verified');
      v.textContent = t('open.review_waiting');
      v.hidden = false;
      announce(t('open.review_waiting'));
      return;
    }
    showStep(4);
  });

  form('pin-form', async () => {
    const pin = digits6('pin-1');
    if ($('pin-2').value.trim() !== pin) throw localError('pin_mismatch', $('pin-2'));
    try {
      await api('PUT', '/v1/me/pin', { body: { pin } });
    } catch (err) {
      if (err.code === 'pin_incorrect') {
        // A payment password already exists (set earlier): this step is done.
        announce(t('open.pin_was_set'));
      } else {
        $('pin-1').value = '';
        $('pin-2').value = '';
        err.input = $('pin-1');
        throw err;
      }
    }
    $('pin-1').value = '';
    $('pin-2').value = '';
    await loadMe();
    showStep(6);
    announce(t('open.done'));
  });
}

export const screens = {
  open: {
    enter: () => showStep(openStepFor(state.me)),
    onLang: () => { if (state.onboard.step) stepLabel(state.onboard.step); },
  },
};
