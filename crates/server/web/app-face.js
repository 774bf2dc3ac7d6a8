/* qianbao web, holder's app — the face check (#/face): why it matters (GET /v1/me says the face
 * check is what raises a card holder to L3), a selfie taken with the front camera and previewed,
 * then PUT /v1/me/identity/face; the new level, or the error at the photo. Below L2 it points to
 * finishing the opening steps first (the server gives L3 only with a bound card). */
import { $, announce, imageType } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { reportError, showError, invalid } from './errors.js';
import { state, loadMe, levelText } from './app-state.js';
import { resetCapture, wireCapture } from './photo-capture.js';

/** Draws the level, why the check helps, and whether it can be taken now. */
function draw() {
  const me = state.me;
  if (!me) return;
  $('face-level').textContent = t('face.level_now', { level: levelText(me.kyc_level) });
  $('face-level').dataset.level = String(me.kyc_level);
  const next = me.limits && me.limits.next_level;
  const done = me.kyc_level >= 3;
  let why = 'face.why';
  if (done) why = 'face.why_done';
  else if (me.kyc_level < 2) why = 'face.why_later';
  $('face-why').textContent = t(why);
  $('face-why').dataset.next = next || '';
  $('face-first').hidden = me.kyc_level >= 2;
  $('face-form').hidden = done || me.kyc_level < 2;
}

/** Sends the selfie; shows the level it brought, or why not at the photo. */
async function check(file) {
  showError('face-error', null);
  $('face-done').hidden = true;
  let r;
  try {
    r = await api('PUT', '/v1/me/identity/face', { raw: file, contentType: imageType(file) });
  } catch (err) {
    reportError('face-error', err);
    if (['photo_invalid', 'face_mismatch', 'unsupported_media_type', 'payload_too_large'].includes(err.code)) {
      resetCapture('face-photo');
      invalid('face-photo');
    }
    return;
  }
  await loadMe();
  const level = (state.me && state.me.kyc_level) || r.kyc_level;
  const done = $('face-done');
  done.textContent = t('face.done', { level: levelText(level) });
  done.dataset.level = String(level);
  done.hidden = false;
  $('face-home').hidden = false;
  resetCapture('face-photo');
  draw();
  announce(done.textContent);
}

export function wire() {
  wireCapture('face-photo', check);
}

export const screens = {
  face: {
    async enter() {
      showError('face-error', null);
      $('face-done').hidden = true;
      $('face-home').hidden = true;
      resetCapture('face-photo');
      await loadMe();
      draw();
    },
    onLang: draw,
  },
};
