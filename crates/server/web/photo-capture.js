/* qianbao web — taking a photo with the phone's camera: a large tap tile (the <label> of an
 * `<input type="file" accept="image/*" capture="…">`, which opens the camera on a phone and the
 * file chooser elsewhere), then a preview of the picture with "重拍" (take it again) and
 * "使用这张" (use this one). "重拍" is the same label, moved beside "使用这张" and restyled, so
 * it opens the camera again and the field always has one visible label; a new picture replaces
 * the preview. The input keeps its id and stays the field: a test hands it a file as before. The
 * preview is an object URL, revoked once the picture has been drawn or replaced.
 *
 * The HTML of one capture (ids from the input's id, `x` here):
 *   <div class="capture" id="x-capture">
 *     <label for="x" id="x-label" class="upload capture-tile"><svg class="capture-icon">…</svg>
 *       <span data-i18n="…">拍摄…</span></label>
 *     <input id="x" type="file" accept="image/*" capture="environment" class="file-hidden">
 *     <div id="x-chosen" class="capture-chosen" hidden>
 *       <img id="x-preview" class="capture-preview" alt="">
 *       <div class="row-buttons"><button type="button" id="x-use">使用这张</button></div>
 *     </div>
 *   </div> */
import { $ } from './dom.js';
import { t } from './i18n.js';

/** The object URL each preview shows, by input id, until it is revoked. */
const urls = new Map();

function forget(id) {
  const url = urls.get(id);
  if (url) URL.revokeObjectURL(url);
  urls.delete(id);
}

/** Makes the label the big tile (nothing chosen) or the "重拍" button beside "使用这张". */
function placeLabel(input, chosen) {
  const id = input.id;
  const label = $(id + '-label');
  const text = label.querySelector('span');
  if (!label.dataset.tileKey) label.dataset.tileKey = text.getAttribute('data-i18n');
  const key = chosen ? 'capture.retake' : label.dataset.tileKey;
  text.setAttribute('data-i18n', key);
  text.textContent = t(key);
  label.className = chosen ? 'btn capture-retake' : 'upload capture-tile';
  if (chosen) $(id + '-chosen').querySelector('.row-buttons').prepend(label);
  else input.closest('.capture').prepend(label);
}

/** Shows the tile again, with no picture chosen. */
export function resetCapture(input) {
  if (typeof input === 'string') input = $(input);
  const id = input.id;
  forget(id);
  input.value = '';
  const img = $(id + '-preview');
  img.removeAttribute('src');
  $(id + '-chosen').hidden = true;
  placeLabel(input, false);
}

/**
 * Wires one capture: `onUse(file)` runs when "使用这张" is tapped (it may be async: the button is
 * busy meanwhile and cannot be tapped twice).
 */
export function wireCapture(input, onUse) {
  if (typeof input === 'string') input = $(input);
  const id = input.id;
  const chosen = $(id + '-chosen');
  const img = $(id + '-preview');
  const use = $(id + '-use');
  img.addEventListener('load', () => forget(id));
  input.addEventListener('change', () => {
    forget(id);
    input.removeAttribute('aria-invalid');
    const file = input.files && input.files[0];
    if (!file) { resetCapture(input); return; }
    const url = URL.createObjectURL(file);
    urls.set(id, url);
    img.alt = t('capture.preview_alt');
    img.src = url;
    chosen.hidden = false;
    placeLabel(input, true);
  });
  if (use && onUse) {
    use.addEventListener('click', async () => {
      if (use.disabled) return;
      const file = input.files && input.files[0];
      if (!file) return;
      use.disabled = true;
      use.setAttribute('aria-busy', 'true');
      try { await onUse(file); } finally {
        use.disabled = false;
        use.removeAttribute('aria-busy');
      }
    });
  }
}
