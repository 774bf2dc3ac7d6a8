/* qianbao web — what the holder's app and the merchant's till share:
 * i18n (t, language switch), the fetch wrapper (cookies, CSRF, Idempotency-Key, problem+json),
 * money formatting and parsing (integer fen, never floating point), friendly error messages,
 * QR images, small DOM helpers, toasts and the aria-live region. Classic script: defines window.QB. */
'use strict';

(function () {
  const QB = {};
  window.QB = QB;

  // ---------------------------------------------------------------- i18n
  const LANG_KEY = 'qb_lang';
  const dict = { zh: {}, en: {} };
  const langListeners = [];

  /** Adds strings: { key: ['中文', 'English'] }. */
  QB.strings = function (pairs) {
    for (const key of Object.keys(pairs)) {
      dict.zh[key] = pairs[key][0];
      dict.en[key] = pairs[key][1];
    }
  };

  QB.lang = (function () {
    try {
      const saved = localStorage.getItem(LANG_KEY);
      if (saved === 'zh' || saved === 'en') return saved;
    } catch (_) { /* storage off */ }
    return 'zh';
  })();

  /** The text of `key` in the current language, with {name} replaced from vars. */
  QB.t = function (key, vars) {
    let s = dict[QB.lang][key];
    if (s === undefined) s = dict.zh[key];
    if (s === undefined) return key;
    if (vars) {
      s = s.replace(/\{(\w+)\}/g, (m, name) => (vars[name] === undefined || vars[name] === null ? m : String(vars[name])));
    }
    return s;
  };

  /** Fills every [data-i18n], [data-i18n-ph], [data-i18n-al], [data-i18n-title] under root. */
  QB.translate = function (root) {
    root = root || document;
    root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = QB.t(el.getAttribute('data-i18n')); });
    root.querySelectorAll('[data-i18n-ph]').forEach((el) => { el.setAttribute('placeholder', QB.t(el.getAttribute('data-i18n-ph'))); });
    root.querySelectorAll('[data-i18n-al]').forEach((el) => { el.setAttribute('aria-label', QB.t(el.getAttribute('data-i18n-al'))); });
    root.querySelectorAll('[data-i18n-title]').forEach((el) => { el.setAttribute('title', QB.t(el.getAttribute('data-i18n-title'))); });
  };

  QB.onLang = function (fn) { langListeners.push(fn); };

  QB.setLang = function (lang) {
    QB.lang = lang === 'en' ? 'en' : 'zh';
    try { localStorage.setItem(LANG_KEY, QB.lang); } catch (_) { /* storage off */ }
    document.documentElement.lang = QB.lang === 'zh' ? 'zh-CN' : 'en';
    QB.translate(document);
    const sw = document.getElementById('lang-switch');
    if (sw) {
      // The button names the language it switches to, in that language.
      sw.textContent = QB.lang === 'zh' ? 'English' : '中文';
      sw.setAttribute('lang', QB.lang === 'zh' ? 'en' : 'zh-CN');
      sw.setAttribute('aria-label', QB.lang === 'zh' ? 'Switch to English' : '切换到中文');
    }
    if (dict[QB.lang]['page.title']) document.title = QB.t('page.title');
    langListeners.forEach((fn) => { try { fn(QB.lang); } catch (e) { console.error(e); } });
  };

  QB.initLang = function () {
    const sw = document.getElementById('lang-switch');
    if (sw) sw.addEventListener('click', () => QB.setLang(QB.lang === 'zh' ? 'en' : 'zh'));
    QB.setLang(QB.lang);
  };

  // ---------------------------------------------------------------- DOM helpers
  QB.$ = (id) => document.getElementById(id);

  /** el('li', {class: 'x', id: 'y', text: '...', on: {click: fn}, attrs...}, child, ...) */
  QB.el = function (tag, props, ...children) {
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
  };

  /** Svg element builder (for charts), with DOM APIs only. */
  QB.svg = function (tag, attrs, ...children) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  };

  QB.show = function (el, on) {
    if (typeof el === 'string') el = QB.$(el);
    if (el) el.hidden = !on;
  };

  QB.clear = function (el) {
    if (typeof el === 'string') el = QB.$(el);
    while (el && el.firstChild) el.removeChild(el.firstChild);
    return el;
  };

  // ---------------------------------------------------------------- announcements and toasts
  /** Says something to screen readers (and to WebDriver: #live-region). */
  QB.announce = function (msg) {
    const live = QB.$('live-region');
    if (!live) return;
    live.textContent = '';
    window.setTimeout(() => { live.textContent = msg; }, 30);
  };

  let toastTimer = null;
  /** A short message at the top of the screen (#notice-toast), read out politely. */
  QB.toast = function (title, body, kind) {
    const box = QB.$('notice-toast');
    if (!box) return;
    QB.clear(box);
    box.append(QB.el('strong', { class: 'toast-title', text: title }));
    if (body) box.append(QB.el('span', { class: 'toast-body', text: body }));
    box.className = 'toast' + (kind ? ' toast-' + kind : '');
    box.hidden = false;
    if (toastTimer) window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(() => { box.hidden = true; }, 6000);
  };

  // ---------------------------------------------------------------- HTTP
  function cookie(name) {
    for (const part of document.cookie.split(';')) {
      const i = part.indexOf('=');
      if (i < 0) continue;
      if (part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
    }
    return '';
  }
  QB.csrf = () => cookie('qb_csrf');

  QB.uuid = function () {
    if (window.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  };

  /** The error every failed call throws: the problem+json fields, plus `network` for no answer. */
  class ApiError extends Error {
    constructor(problem) {
      super(problem.detail || problem.code || 'error');
      Object.assign(this, problem);
    }
  }
  QB.ApiError = ApiError;

  /**
   * Calls the server. opts: {body (object → JSON), raw (Blob/File), contentType, idem (key),
   * query (object)}. Answers the parsed JSON, or null for 204. Throws ApiError.
   */
  QB.api = async function (method, path, opts) {
    opts = opts || {};
    let url = path;
    if (opts.query) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(opts.query)) {
        if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
      }
      const s = q.toString();
      if (s) url += (url.includes('?') ? '&' : '?') + s;
    }
    const headers = { Accept: 'application/json, application/problem+json' };
    if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = QB.csrf();
    if (opts.idem) headers['Idempotency-Key'] = opts.idem;
    let body;
    if (opts.raw) {
      body = opts.raw;
      headers['Content-Type'] = opts.contentType || 'application/octet-stream';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['Content-Type'] = 'application/json';
    }
    let res;
    try {
      res = await fetch(url, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
    } catch (e) {
      throw new ApiError({ status: 0, code: 'network', network: true, detail: String(e && e.message || e) });
    }
    if (res.status === 204) return null;
    const text = await res.text();
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch (_) { data = null; }
    }
    if (!res.ok) {
      const p = data && typeof data === 'object' ? data : {};
      if (!p.code) p.code = res.status === 401 ? 'unauthorized' : res.status === 404 ? 'not_found' : 'http_' + res.status;
      p.status = res.status;
      if (p.retry_after === undefined) {
        const ra = parseInt(res.headers.get('Retry-After') || '', 10);
        if (!Number.isNaN(ra)) p.retry_after = ra;
      }
      throw new ApiError(p);
    }
    return data;
  };

  /**
   * An Idempotency-Key for one user action: the same key while that action is retried after a
   * network failure (or while it is still running), a new one once the server has answered.
   */
  QB.Idem = class {
    constructor() { this.key = null; }
    get() { if (!this.key) this.key = QB.uuid(); return this.key; }
    settle(err) {
      if (err && (err.network || err.code === 'idempotency_in_progress')) return;
      this.key = null;
    }
    reset() { this.key = null; }
  };

  // ---------------------------------------------------------------- money
  /** Integer fen → "¥1,234.56" (a minus sign before the ¥ when negative). */
  QB.money = function (fen, currency) {
    if (fen === null || fen === undefined || fen === '') return '';
    const n = Number(fen);
    if (!Number.isSafeInteger(n)) return String(fen);
    const neg = n < 0;
    const digits = String(Math.abs(n)).padStart(3, '0');
    const whole = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    const sym = !currency || currency === 'CNY' ? '¥' : currency + ' ';
    return (neg ? '-' : '') + sym + whole + '.' + digits.slice(-2);
  };

  /** "12.5" / "¥1,234.56" / "0.05" → integer fen, by string arithmetic; null when not an amount. */
  QB.parseMoney = function (text) {
    if (text === null || text === undefined) return null;
    let s = String(text).trim().replace(/^[¥￥]/, '').replace(/[,，\s]/g, '');
    s = s.replace(/[０-９．]/g, (c) => (c === '．' ? '.' : String.fromCharCode(c.charCodeAt(0) - 0xfee0)));
    const m = /^(\d*)(?:\.(\d{0,2}))?$/.exec(s);
    if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) return null;
    const whole = (m[1] || '0').replace(/^0+(?=\d)/, '');
    const frac = (m[2] || '').padEnd(2, '0');
    const all = (whole + frac).replace(/^0+(?=\d)/, '');
    if (all.length > 15) return null;
    const fen = parseInt(all, 10);
    return fen > 0 ? fen : null;
  };

  /** Fen → "12.50" for an input's value. */
  QB.moneyPlain = function (fen) {
    const digits = String(Math.abs(fen)).padStart(3, '0');
    return digits.slice(0, -2) + '.' + digits.slice(-2);
  };

  QB.dateTime = function (iso) {
    if (!iso) return '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    return d.toLocaleString(QB.lang === 'zh' ? 'zh-CN' : 'en-GB', {
      year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    });
  };

  /** A YYYY-MM-DD day in China time (the server's "day" for filters). */
  QB.chinaDay = function (date) {
    const ms = (date ? date.getTime() : Date.now()) + 8 * 3600 * 1000;
    return new Date(ms).toISOString().slice(0, 10);
  };

  QB.groupDigits = function (code, size) {
    size = size || 4;
    const out = [];
    for (let i = 0; i < code.length; i += size) out.push(code.slice(i, i + size));
    return out.join(' ');
  };

  // ---------------------------------------------------------------- QR images
  function base64Utf8(text) {
    const bytes = new TextEncoder().encode(text);
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(bin);
  }

  /** Shows an SVG document string from the server in an <img> (never as markup). */
  QB.qrImg = function (img, svgText, alt) {
    img.src = 'data:image/svg+xml;base64,' + base64Utf8(svgText);
    img.alt = alt || '';
    img.hidden = false;
    return img;
  };

  /** The content type to send for a picture the person chose. */
  QB.imageType = function (file) {
    if (file.type) return file.type;
    const name = (file.name || '').toLowerCase();
    if (name.endsWith('.png')) return 'image/png';
    if (name.endsWith('.jpg') || name.endsWith('.jpeg')) return 'image/jpeg';
    return 'application/octet-stream';
  };

  // ---------------------------------------------------------------- errors
  QB.strings({
    'err.network': ['网络连接失败,请检查网络后重试(重试不会重复扣款)。', 'The connection failed. Check the network and try again (a retry never charges twice).'],
    'err.unknown': ['出错了:{detail}', 'Something went wrong: {detail}'],
    'err.unauthorized': ['登录已失效,请重新登录。', 'You are signed out. Please sign in again.'],
    'err.not_found': ['没有找到对应的记录。', 'Nothing was found.'],
    'err.csrf_invalid': ['页面已过期,请刷新页面后重试。', 'This page has expired. Reload it and try again.'],
    'err.invalid_request': ['输入有误:{detail}', 'Please check the input: {detail}'],
    'err.malformed_request': ['请求格式有误,请刷新页面后重试。', 'The request was malformed. Reload the page and try again.'],
    'err.malformed_json': ['请求格式有误,请刷新页面后重试。', 'The request was malformed. Reload the page and try again.'],
    'err.phone_invalid': ['手机号格式不正确,请输入11位中国大陆手机号,例如 13812345678。', 'That phone number is not valid. Enter an 11-digit mainland China mobile number, e.g. 13812345678.'],
    'err.otp_rate_limited': ['验证码请求过于频繁,请 {n} 秒后再试。', 'Too many code requests. Try again in {n} s.'],
    'err.otp_rate_limited_plain': ['验证码请求过于频繁,请稍后再试。', 'Too many code requests. Please try again later.'],
    'err.otp_invalid': ['验证码不正确,还可以再试 {n} 次。请核对短信中的6位数字。', 'The code is wrong; {n} tries left. Check the 6 digits in the SMS.'],
    'err.otp_invalid_plain': ['验证码不正确或已失效,请核对短信,或重新获取验证码。', 'The code is wrong or no longer valid. Check the SMS, or ask for a new code.'],
    'err.otp_expired': ['验证码已过期(有效期5分钟),请重新获取。', 'The code has expired (codes live 5 minutes). Ask for a new one.'],
    'err.phone_taken': ['该手机号已开通钱包。请直接登录;忘记密码可以找回。', 'This phone already has a wallet. Sign in instead, or recover the password.'],
    'err.password_weak': ['登录密码太弱:需 8–128 位,不能是常见密码,也不能包含手机号。', 'The password is too weak: use 8–128 characters, not a common password, and not containing your phone number.'],
    'err.password_weak.too_short': ['登录密码至少需要 8 位。', 'The password needs at least 8 characters.'],
    'err.password_weak.too_long': ['登录密码最多 128 位。', 'The password may have at most 128 characters.'],
    'err.password_weak.common': ['这是常见密码,很容易被猜中,请换一个更独特的密码(8–128 位)。', 'That password is too common and easy to guess. Choose a more unusual one (8–128 characters).'],
    'err.password_weak.contains_phone': ['登录密码不能包含手机号,请换一个。', 'The password may not contain your phone number. Choose another.'],
    'err.password_weak.control_character': ['登录密码含有不可见字符,请重新输入。', 'The password contains invisible characters. Type it again.'],
    'err.account_restricted': ['该账户或手机号受限,暂不能办理此业务。请联系客服处理。', 'This account or phone is restricted and cannot do this. Please contact support.'],
    'err.invalid_credentials': ['手机号或密码不正确,还可以再试 {n} 次。', 'Wrong phone or password; {n} tries left.'],
    'err.invalid_credentials_plain': ['手机号或密码不正确。', 'Wrong phone or password.'],
    'err.login_locked': ['密码错误次数过多,登录已被锁定。请通过“找回密码”重设密码,重设后即可解锁。', 'Too many wrong passwords: sign-in is locked. Reset the password with “Forgot password” to unlock it.'],
    'err.step_up_required': ['这是一台新设备,请输入发送到手机的登录验证码。', 'This is a new device: enter the sign-in code sent to your phone.'],
    'err.id_number_invalid': ['身份证号码不正确:应为18位,最后一位可以是 X,请核对。', 'The ID number is not valid: 18 characters, the last may be X. Please check it.'],
    'err.underage': ['根据规定,未满18周岁不能开通实名钱包。请由年满18岁的本人办理。', 'By regulation, a real-name wallet needs the holder to be at least 18 years old.'],
    'err.identity_mismatch': ['姓名与身份证号不匹配。请核对与身份证上完全一致的姓名和号码后重试。', 'The name and ID number do not match. Check both exactly as on the ID card and try again.'],
    'err.identity_taken': ['该身份证已用于另一个钱包。如非本人操作,请联系客服。', 'This ID is already used by another wallet. If that was not you, contact support.'],
    'err.already_verified': ['已完成实名认证,无需重复认证。', 'The real name is already verified.'],
    'err.verifier_unavailable': ['实名认证服务繁忙(高峰时段),请稍后再试。', 'The identity service is busy (peak time). Please try again in a moment.'],
    'err.photo_invalid': ['照片无法使用,请上传清晰的 JPEG 或 PNG 照片(不超过5MB,至少300×300像素)。', 'The photo cannot be used. Upload a clear JPEG or PNG (at most 5 MB, at least 300×300 px).'],
    'err.photo_invalid.format': ['照片格式不支持,请上传 JPEG 或 PNG 图片。', 'That format is not supported. Upload a JPEG or PNG picture.'],
    'err.photo_invalid.too_large': ['照片太大(最大5MB),请压缩或换一张。', 'The picture is too large (5 MB at most). Shrink it or pick another.'],
    'err.photo_invalid.too_small': ['照片太小,至少需要 300×300 像素,请拍得更清晰一些。', 'The picture is too small: at least 300×300 px. Take a sharper one.'],
    'err.photo_invalid.unreadable': ['照片无法读取,文件可能已损坏,请重新拍摄或换一张。', 'The picture cannot be read (the file may be damaged). Take it again or pick another.'],
    'err.qr_not_found': ['图片中没有识别到二维码。请让二维码完整、清晰地出现在图片中,或直接粘贴二维码内容。', 'No QR code was found in the picture. Make the whole code sharp in the picture, or paste its text instead.'],
    'err.unsupported_media_type': ['文件格式不支持,请选择 JPEG 或 PNG 图片。', 'That file type is not supported. Choose a JPEG or PNG picture.'],
    'err.payload_too_large': ['文件太大,请选择更小的图片。', 'The file is too large. Choose a smaller picture.'],
    'err.kyc_required': ['请先完成实名认证和绑定银行卡,才能使用这项功能。', 'Finish real-name verification (and bind a bank card) before using this.'],
    'err.card_invalid': ['银行卡号不正确,请核对卡号。', 'The card number is not valid. Please check it.'],
    'err.card_unsupported': ['暂不支持该银行的卡,请换一张卡。', 'Cards of this bank are not supported yet. Try another card.'],
    'err.card_holder_mismatch': ['持卡人姓名或身份证号与实名信息不一致。只能绑定本人名下的银行卡。', 'The cardholder name or ID number differs from your verified identity. Only cards in your own name can be bound.'],
    'err.bank_rejected': ['银行拒绝了在线绑卡(银行限制)。请联系发卡银行开通网上支付,或换一张卡。', 'The bank refused online binding. Ask the bank to enable online payments, or use another card.'],
    'err.card_inactive': ['这张卡尚未激活。请先到银行激活后再绑定。', 'This card is not activated yet. Activate it with the bank first.'],
    'err.card_already_bound': ['这张卡已经绑定过了。', 'This card is already bound.'],
    'err.bank_unavailable': ['银行系统繁忙,请稍后再试。', 'The bank is busy. Please try again in a moment.'],
    'err.bank_insufficient_funds': ['银行卡余额不足,请换一张卡或减少金额。', 'The card does not have enough funds. Use another card or a smaller amount.'],
    'err.pin_invalid': ['支付密码必须是6位数字。', 'The payment password is exactly 6 digits.'],
    'err.pin_weak': ['支付密码太简单,容易被猜到:不能是相同数字、连续数字、重复组合、生日、身份证或手机号后六位。', 'The payment password is too easy to guess: no repeated or consecutive digits, repeated groups, birth date, or the last six of your ID or phone.'],
    'err.pin_weak.all_same': ['支付密码不能是6个相同的数字。', 'The payment password may not be six identical digits.'],
    'err.pin_weak.sequence': ['支付密码不能是连续数字(如 123456)。', 'The payment password may not be a run of digits (like 123456).'],
    'err.pin_weak.repeated_group': ['支付密码不能是重复的组合(如 121212)。', 'The payment password may not repeat a group (like 121212).'],
    'err.pin_weak.common': ['这是常见的支付密码,请换一个。', 'That payment password is too common. Choose another.'],
    'err.pin_weak.birth_date': ['支付密码不能是您的生日。', 'The payment password may not be your birth date.'],
    'err.pin_weak.id_number_tail': ['支付密码不能是身份证号后六位。', 'The payment password may not be the end of your ID number.'],
    'err.pin_weak.phone_tail': ['支付密码不能是手机号后六位。', 'The payment password may not be the end of your phone number.'],
    'err.pin_incorrect': ['支付密码错误,还可以再试 {n} 次。', 'Wrong payment password; {n} tries left.'],
    'err.pin_incorrect_plain': ['支付密码错误。', 'Wrong payment password.'],
    'err.pin_locked': ['支付密码错误次数过多,支付已锁定{wait}。可以在“安全中心 → 找回支付密码”中验证身份后立即重设并解锁。', 'Too many wrong payment passwords: payments are locked{wait}. Reset the payment password under Security → Reset payment password to unlock at once.'],
    'err.pin_not_set': ['还没有设置支付密码,请先设置。', 'No payment password is set yet. Set one first.'],
    'err.pin_required': ['超过免密限额,需要顾客输入支付密码。', 'Above the password-free limit: the customer must enter the payment password.'],
    'err.account_frozen': ['钱包已冻结,资金不能转出。如需恢复,请在“安全中心”解冻。', 'The wallet is frozen: no money can leave it. Unfreeze it under Security.'],
    'err.risk_blocked': ['为保护资金安全,这笔交易已被风控系统拦截。如有疑问请联系客服。', 'For your safety, risk control stopped this payment. Contact support if in doubt.'],
    'err.insufficient_balance': ['余额不足,请先充值或减少金额。', 'Not enough balance. Top up first or use a smaller amount.'],
    'err.limit_exceeded': ['超出限额{limit}。{headroom}完成更高级别的实名认证可以提高限额。', 'Over the limit{limit}. {headroom}A higher verification level raises the limit.'],
    'err.limit.headroom': ['当前还可使用 {amount}。', '{amount} is still available. '],
    'err.invalid_payee': ['不能向该收款方付款:不能付给自己或自己的店铺,或对方账户已注销。', 'You cannot pay this payee: not yourself or your own shop, nor a closed account.'],
    'err.payload_invalid': ['无法识别的二维码内容,请确认扫描的是钱包收款码或商户二维码。', 'That is not a code this wallet can pay. Check it is a wallet receive code or a shop code.'],
    'err.order_expired': ['订单已过期,请让商家重新生成订单。', 'The order has expired. Ask the shop to make a new one.'],
    'err.order_paid': ['这笔订单已经支付过了,无需重复支付。', 'This order is already paid.'],
    'err.merchant_unavailable': ['商家暂时无法收款,请换一种方式支付。', 'The shop cannot take payments right now. Pay another way.'],
    'err.amount_invalid': ['金额不正确,请输入大于0的金额,最多两位小数。', 'The amount is not valid: more than 0, at most two decimals.'],
    'err.currency_unsupported': ['不支持该币种。', 'That currency is not supported.'],
    'err.maintenance': ['系统维护中,请 {n} 秒后再试。', 'Under maintenance. Try again in {n} s.'],
    'err.maintenance_plain': ['系统维护中,请稍后再试。', 'Under maintenance. Please try again later.'],
    'err.idempotency_conflict': ['这次操作与之前的请求冲突,请刷新页面后重新操作。', 'This action conflicts with an earlier one. Reload the page and do it again.'],
    'err.idempotency_in_progress': ['上一次操作仍在处理中,请稍候再试。', 'The previous attempt is still being processed. Wait a moment and try again.'],
    'err.idempotency_key_required': ['请求缺少幂等键,请刷新页面。', 'The request lacked an idempotency key. Reload the page.'],
    'err.payment_code_invalid': ['付款码无效,请让顾客刷新付款码后重新扫描。', 'The payment code is not valid. Ask the customer to refresh it and scan again.'],
    'err.payment_code_expired': ['付款码已过期(有效期60秒),请让顾客刷新付款码。', 'The payment code has expired (60 s). Ask the customer to refresh it.'],
    'err.refund_exceeds_payment': ['退款金额超过了可退金额。', 'The refund is more than what is left to refund.'],
    'err.not_cancellable': ['这笔转账已无法撤销。', 'This transfer can no longer be cancelled.'],
    'err.face_mismatch': ['人脸与证件照片不匹配,请重新拍摄。', 'The face does not match the ID photo. Take it again.'],
    'err.storage_unavailable': ['服务暂时不可用,请稍后再试。', 'The service is unavailable right now. Please try again later.'],
    'err.name_invalid': ['名称不正确,请重新填写。', 'The name is not valid. Please fill it in again.'],
    'err.rate_limited': ['操作过于频繁,请稍后再试。', 'Too many requests. Please try again later.'],
    'err.too_many_requests': ['操作过于频繁,请稍后再试。', 'Too many requests. Please try again later.'],
    'err.local.amount': ['请输入正确的金额,例如 12.50(最多两位小数)。', 'Enter a valid amount, e.g. 12.50 (at most two decimals).'],
    'err.local.pin': ['支付密码是6位数字。', 'The payment password is 6 digits.'],
    'err.local.pin_mismatch': ['两次输入的支付密码不一致,请重新输入。', 'The two payment passwords differ. Type them again.'],
    'err.local.password_mismatch': ['两次输入的登录密码不一致。', 'The two passwords differ.'],
    'err.local.otp': ['请输入6位短信验证码。', 'Enter the 6-digit SMS code.'],
    'err.local.phone': ['请输入11位手机号。', 'Enter the 11-digit phone number.'],
    'err.local.file': ['请选择一张图片。', 'Choose a picture.'],
    'err.local.required': ['请填写此项。', 'Please fill this in.'],
    'err.retry_in': ['请 {n} 秒后再试。', 'Try again in {n} s.'],
    'limit.per_payment': ['(单笔限额)', ' (per payment)'],
    'limit.per_day': ['(每日限额)', ' (per day)'],
    'limit.balance_cap': ['(余额上限)', ' (balance cap)'],
    'limit.static_qr_daily': ['(静态码每日限额 ¥500)', ' (static QR daily limit, ¥500)'],
    'limit.password_free_daily': ['(免密支付每日限额)', ' (password-free daily limit)'],
    'limit.password_free_payment': ['(免密支付单笔限额)', ' (password-free per payment)'],
  });

  function waitText(seconds) {
    if (!seconds) return '';
    const mins = Math.ceil(seconds / 60);
    if (seconds < 120) return QB.lang === 'zh' ? '(' + seconds + ' 秒后自动解锁)' : ' (unlocks by itself in ' + seconds + ' s)';
    if (mins < 120) return QB.lang === 'zh' ? '(约 ' + mins + ' 分钟后自动解锁)' : ' (unlocks by itself in about ' + mins + ' min)';
    return QB.lang === 'zh' ? '(约 ' + Math.ceil(mins / 60) + ' 小时后自动解锁)' : ' (unlocks by itself in about ' + Math.ceil(mins / 60) + ' h)';
  }

  /** A person's message for an error: what happened and what to do next. */
  QB.errorText = function (err) {
    if (!err) return '';
    if (typeof err === 'string') return QB.t(err);
    const code = err.code || '';
    if (err.local) return QB.t('err.local.' + err.local);
    if (err.network || code === 'network') return QB.t('err.network');
    const has = (k) => QB.t(k) !== k;
    switch (code) {
      case 'otp_rate_limited':
        return err.retry_after ? QB.t('err.otp_rate_limited', { n: err.retry_after }) : QB.t('err.otp_rate_limited_plain');
      case 'otp_invalid':
        return typeof err.attempts_left === 'number' ? QB.t('err.otp_invalid', { n: err.attempts_left }) : QB.t('err.otp_invalid_plain');
      case 'invalid_credentials':
        return typeof err.attempts_left === 'number' ? QB.t('err.invalid_credentials', { n: err.attempts_left }) : QB.t('err.invalid_credentials_plain');
      case 'pin_incorrect':
        return typeof err.attempts_left === 'number' ? QB.t('err.pin_incorrect', { n: err.attempts_left }) : QB.t('err.pin_incorrect_plain');
      case 'pin_locked':
        return QB.t('err.pin_locked', { wait: waitText(err.retry_after) });
      case 'maintenance':
        return err.retry_after ? QB.t('err.maintenance', { n: err.retry_after }) : QB.t('err.maintenance_plain');
      case 'limit_exceeded': {
        const lim = err.limit && has('limit.' + err.limit) ? QB.t('limit.' + err.limit) : '';
        const head = typeof err.headroom === 'number' ? QB.t('err.limit.headroom', { amount: QB.money(err.headroom) }) : '';
        return QB.t('err.limit_exceeded', { limit: lim, headroom: head });
      }
      case 'password_weak':
      case 'pin_weak':
      case 'photo_invalid':
        {
          // `reason` when the server sends it; else the reason named at the end of `detail`.
          let reason = err.reason;
          if (!reason && err.detail) {
            const m = /\b(too_short|too_long|common|contains_phone|control_character|all_same|sequence|repeated_group|birth_date|id_number_tail|phone_tail|format|too_large|too_small|unreadable)\b/.exec(err.detail);
            if (m) reason = m[1];
          }
          if (reason && has('err.' + code + '.' + reason)) return QB.t('err.' + code + '.' + reason);
        }
        return QB.t('err.' + code);
      case 'invalid_request':
        return QB.t('err.invalid_request', { detail: err.detail || '' });
      default:
        if (has('err.' + code)) {
          let s = QB.t('err.' + code);
          if (err.retry_after && !/\{n\}/.test(s) && err.status >= 429) s += ' ' + QB.t('err.retry_in', { n: err.retry_after });
          return s;
        }
        return QB.t('err.unknown', { detail: err.detail || code });
    }
  };

  /** Pages may set QB.errorLink = (err) => {href, label} | null to add a "what next" link. */
  QB.errorLink = null;

  /**
   * Shows an error in `box` (an element with class "error" and role="alert"); clears it when err
   * is null. The element gets data-code for tests.
   */
  QB.showError = function (box, err) {
    if (typeof box === 'string') box = QB.$(box);
    if (!box) return;
    QB.clear(box);
    if (!err) { box.hidden = true; box.removeAttribute('data-code'); return; }
    box.append(QB.el('span', { class: 'error-text', text: QB.errorText(err) }));
    const link = QB.errorLink && typeof err === 'object' ? QB.errorLink(err) : null;
    if (link) {
      box.append(' ');
      box.append(QB.el('a', { href: link.href, class: 'error-link', id: box.id ? box.id + '-link' : undefined, text: link.label }));
    }
    box.setAttribute('data-code', (err && err.code) || (err && err.local) || 'error');
    box.hidden = false;
  };

  /** Marks a field as wrong (aria-invalid) until it is edited. */
  QB.invalid = function (input) {
    if (typeof input === 'string') input = QB.$(input);
    if (!input) return;
    input.setAttribute('aria-invalid', 'true');
    input.addEventListener('input', () => input.removeAttribute('aria-invalid'), { once: true });
    input.focus();
  };

  /** A local (not from the server) validation error. */
  QB.localError = function (kind, input) {
    const e = new Error(kind);
    e.local = kind;
    e.input = input;
    return e;
  };

  /**
   * Handles a form: preventDefault, clear its .error, disable its submit buttons while running,
   * show whatever is thrown in the form's .error box (or opts.errorBox).
   */
  QB.form = function (form, handler, opts) {
    if (typeof form === 'string') form = QB.$(form);
    if (!form) return;
    opts = opts || {};
    form.noValidate = true;
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const box = opts.errorBox ? QB.$(opts.errorBox) : form.querySelector('.error');
      QB.showError(box, null);
      if (form.dataset.busy === '1') return;
      form.dataset.busy = '1';
      const buttons = form.querySelectorAll('button[type=submit], button:not([type])');
      buttons.forEach((b) => { b.disabled = true; b.setAttribute('aria-busy', 'true'); });
      try {
        await handler(ev.submitter || null);
      } catch (err) {
        if (!(err instanceof Error) && !err.code) console.error(err);
        QB.showError(box, err);
        if (err && err.input) QB.invalid(err.input);
        if (box) QB.announce(QB.errorText(err));
      } finally {
        form.dataset.busy = '0';
        buttons.forEach((b) => { b.disabled = false; b.removeAttribute('aria-busy'); });
      }
    });
  };

  /** Reads a 6-digit field or throws a local error. */
  QB.digits6 = function (id, kind) {
    const input = QB.$(id);
    const v = input.value.trim();
    if (!/^\d{6}$/.test(v)) throw QB.localError(kind || 'pin', input);
    return v;
  };

  QB.amountOf = function (id) {
    const input = QB.$(id);
    const fen = QB.parseMoney(input.value);
    if (fen === null) throw QB.localError('amount', input);
    return fen;
  };

  QB.phoneOf = function (id) {
    const input = QB.$(id);
    const v = input.value.replace(/[\s-]/g, '');
    if (!/^(\+?86)?1\d{10}$/.test(v)) throw QB.localError('phone', input);
    return v;
  };

  /** A "send code" button: POST /v1/otp, then a countdown from resend_after. */
  QB.codeButton = function (button, getPhone, purpose, errorBox, onSent) {
    if (typeof button === 'string') button = QB.$(button);
    let timer = null;
    const labelKey = button.getAttribute('data-i18n') || 'otp.send';
    function countdown(seconds) {
      if (timer) window.clearInterval(timer);
      let left = seconds;
      button.disabled = true;
      button.removeAttribute('data-i18n');
      const tick = () => {
        if (left <= 0) {
          window.clearInterval(timer);
          timer = null;
          button.disabled = false;
          button.setAttribute('data-i18n', 'otp.resend');
          button.textContent = QB.t('otp.resend');
          return;
        }
        button.textContent = QB.t('otp.resend_in', { n: left });
        left -= 1;
      };
      tick();
      timer = window.setInterval(tick, 1000);
    }
    button.addEventListener('click', async () => {
      const box = typeof errorBox === 'string' ? QB.$(errorBox) : errorBox;
      QB.showError(box, null);
      let phone;
      try { phone = getPhone(); } catch (e) { QB.showError(box, e); if (e.input) QB.invalid(e.input); return; }
      button.disabled = true;
      try {
        const sent = await QB.api('POST', '/v1/otp', { body: { phone, purpose } });
        QB.announce(QB.t('otp.sent'));
        countdown(sent && sent.resend_after ? sent.resend_after : 60);
        if (onSent) onSent(phone);
      } catch (err) {
        QB.showError(box, err);
        if (err.code === 'otp_rate_limited' && err.retry_after) countdown(err.retry_after);
        else button.disabled = false;
      }
    });
    button.setAttribute('data-i18n', labelKey);
  };

  QB.strings({
    'otp.send': ['获取验证码', 'Send code'],
    'otp.resend': ['重新获取', 'Send again'],
    'otp.resend_in': ['{n} 秒后可重发', 'Resend in {n} s'],
    'otp.sent': ['验证码已发送,请查收短信。', 'The code is on its way by SMS.'],
    'common.busy': ['处理中…', 'Working…'],
  });
})();
