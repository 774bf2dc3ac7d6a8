/* qianbao web — the page's language: the strings registered per language (strings-zh.js,
 * strings-en.js), t(), the 中文 / English switch (kept in localStorage.qb_lang), and filling the
 * [data-i18n*] attributes of the HTML. */

const LANG_KEY = 'qb_lang';
const dict = { zh: {}, en: {} };
const langListeners = [];

let current = (function () {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (saved === 'zh' || saved === 'en') return saved;
  } catch (_) { /* storage off */ }
  return 'zh';
})();

/** The page's language now: 'zh' or 'en'. */
export function lang() { return current; }

/** Adds strings of one language: addStrings('zh', { key: '中文' }). */
export function addStrings(language, table) {
  Object.assign(dict[language], table);
}

/** The text of `key` in the current language (else Chinese, else the key), with {name} replaced
 * from vars. */
export function t(key, vars) {
  let s = dict[current][key];
  if (s === undefined) s = dict.zh[key];
  if (s === undefined) return key;
  if (vars) {
    s = s.replace(/\{(\w+)\}/g, (m, name) => (vars[name] === undefined || vars[name] === null ? m : String(vars[name])));
  }
  return s;
}

/** Whether `key` has a text (so a caller can fall back to something else). */
export function hasText(key) { return t(key) !== key; }

/** Fills every [data-i18n], [data-i18n-ph], [data-i18n-al], [data-i18n-title] under root. */
export function translate(root) {
  root = root || document;
  root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.getAttribute('data-i18n')); });
  root.querySelectorAll('[data-i18n-ph]').forEach((el) => { el.setAttribute('placeholder', t(el.getAttribute('data-i18n-ph'))); });
  root.querySelectorAll('[data-i18n-al]').forEach((el) => { el.setAttribute('aria-label', t(el.getAttribute('data-i18n-al'))); });
  root.querySelectorAll('[data-i18n-title]').forEach((el) => { el.setAttribute('title', t(el.getAttribute('data-i18n-title'))); });
}

/** Calls fn(lang) after every switch of language. */
export function onLang(fn) { langListeners.push(fn); }

export function setLang(language) {
  current = language === 'en' ? 'en' : 'zh';
  try { localStorage.setItem(LANG_KEY, current); } catch (_) { /* storage off */ }
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  translate(document);
  const sw = document.getElementById('lang-switch');
  if (sw) {
    // The button names the language it switches to, in that language.
    sw.textContent = current === 'zh' ? 'English' : '中文';
    sw.setAttribute('lang', current === 'zh' ? 'en' : 'zh-CN');
    sw.setAttribute('aria-label', current === 'zh' ? 'Switch to English' : '切换到中文');
  }
  if (dict[current]['page.title']) document.title = t('page.title');
  langListeners.forEach((fn) => { try { fn(current); } catch (e) { console.error(e); } });
}

/** Wires #lang-switch and applies the saved language to the page. */
export function initLang() {
  const sw = document.getElementById('lang-switch');
  if (sw) sw.addEventListener('click', () => setLang(current === 'zh' ? 'en' : 'zh'));
  setLang(current);
}
