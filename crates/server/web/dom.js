/* qianbao web — small DOM helpers both pages build their screens with: lookup by id, element
 * builders, show/clear, the aria-live announcements, the toast, and pictures (QR images, uploads). */

export const $ = (id) => document.getElementById(id);

/** el('li', {class: 'x', id: 'y', text: '...', on: {click: fn}, attrs...}, child, ...) */
export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') node.textContent = v;
      else if (k === 'class') node.className = v;
      else if (k === 'on') { for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn); }
      else if (k === 'dataset') { Object.assign(node.dataset, v); }
      else if (k in node && typeof v !== 'string') node[k] = v;
      else node.setAttribute(k, v === true ? '' : v);
    }
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** Svg element builder (for charts), with DOM APIs only. */
export function svg(tag, attrs, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

export function show(node, on) {
  if (typeof node === 'string') node = $(node);
  if (node) node.hidden = !on;
}

export function clear(node) {
  if (typeof node === 'string') node = $(node);
  while (node && node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** Says something to screen readers (and to WebDriver: #live-region). */
export function announce(msg) {
  const live = $('live-region');
  if (!live) return;
  live.textContent = '';
  window.setTimeout(() => { live.textContent = msg; }, 30);
}

let toastTimer = null;
/** A short message at the top of the screen (#notice-toast), read out politely. */
export function toast(title, body, kind) {
  const box = $('notice-toast');
  if (!box) return;
  clear(box);
  box.append(el('strong', { class: 'toast-title', text: title }));
  if (body) box.append(el('span', { class: 'toast-body', text: body }));
  box.className = 'toast' + (kind ? ' toast-' + kind : '');
  box.hidden = false;
  if (toastTimer) window.clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => { box.hidden = true; }, 6000);
}

function base64Utf8(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** Shows an SVG document string from the server in an <img> (never as markup). */
export function qrImg(img, svgText, alt) {
  img.src = 'data:image/svg+xml;base64,' + base64Utf8(svgText);
  img.alt = alt || '';
  img.hidden = false;
  return img;
}

/** The content type to send for a picture the person chose. */
export function imageType(file) {
  if (file.type) return file.type;
  const name = (file.name || '').toLowerCase();
  if (name.endsWith('.png')) return 'image/png';
  if (name.endsWith('.jpg') || name.endsWith('.jpeg')) return 'image/jpeg';
  return 'application/octet-stream';
}
