/* qianbao web, merchant's till — the printable shop code at `/merchant#qr`: the shop's static QR
 * (drawn by the server, `static_qr_svg` of GET /web/merchant/session) with its name and
 * "钱包扫码付款", big enough to stand on a counter. While it shows, body.poster-shown makes
 * printing print the poster alone (style.css, @media print). */
import { $, qrImg } from './dom.js';
import { t } from './i18n.js';

/** Whether the address asks for the poster. */
export function posterRoute() {
  return location.hash === '#qr';
}

/** Shows the poster of `merchant` (or hides it when `merchant` is null or the route is not #qr);
 * returns whether it shows. */
export function showPoster(merchant) {
  const on = !!merchant && posterRoute();
  $('till-qr-screen').hidden = !on;
  document.body.classList.toggle('poster-shown', on);
  if (on) {
    $('till-qr-name').textContent = merchant.name;
    qrImg($('till-qr-img'), merchant.static_qr_svg || '', t('poster.alt', { name: merchant.name }));
    $('till-qr-img').dataset.payload = merchant.static_qr_payload || '';
  }
  return on;
}

/** Wires the print button. */
export function wirePoster() {
  $('till-qr-print').addEventListener('click', () => window.print());
}
