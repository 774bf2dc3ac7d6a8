/* qianbao web — the merchant's till at `/merchant`: sign in with the shop key (the server gives
 * the till a session of its own in an HttpOnly cookie; the key is not kept), make orders with a
 * QR, charge payment codes, refund, list. */
'use strict';

(function () {
  const { $, t, el, api, money } = QB;

  QB.strings({
    'page.title': ['收银台 qianbao', 'qianbao till'],
    'a11y.skip': ['跳到主要内容', 'Skip to content'],
    'till.loading': ['加载中…', 'Loading…'],
    'till.title': ['收银台', 'Till'],
    'till.signin_title': ['商户登录', 'Shop sign-in'],
    'till.signin_help': ['输入开通商户时显示的商户密钥。浏览器不保存密钥:收银台只保留一个登录会话,退出、更换密钥或 12 小时未使用即失效。', 'Enter the shop key shown when the shop was opened. The browser does not keep the key: the till keeps only a session, which ends when you sign out, when the key is replaced, or after 12 hours unused.'],
    'till.key': ['商户密钥', 'Shop key'],
    'till.signin': ['登录收银台', 'Sign in'],
    'till.no_key': ['还没有商户?在钱包中开店', 'No shop yet? Open one in the wallet'],
    'till.signout': ['退出', 'Sign out'],
    'till.signed_out': ['已退出收银台。', 'Signed out of the till.'],
    'till.today': ['今日收款', 'Today’s takings'],
    'till.today_count': ['{n} 笔,已扣除退款', '{n} payments, net of refunds'],
    'till.balance': ['待结算余额', 'Balance to settle'],
    'till.balance_help': ['结算到店主的默认银行卡', 'settled to the owner’s default card'],
    'till.refresh': ['刷新', 'Refresh'],
    'till.order_title': ['收款订单(顾客扫码)', 'Order (customer scans)'],
    'till.amount': ['金额(元)', 'Amount (¥)'],
    'till.desc': ['商品说明(可选)', 'Description (optional)'],
    'till.order_submit': ['生成收款二维码', 'Show the QR code'],
    'till.order_scan': ['请顾客用钱包“扫一扫”付款', 'Ask the customer to scan with their wallet'],
    'till.order_qr_alt': ['订单二维码', 'Order QR code'],
    'till.status': ['状态:', 'Status:'],
    'till.order_id': ['订单号', 'Order'],
    'till.order_new': ['新订单', 'New order'],
    'till.order.open': ['等待付款…', 'Waiting for payment…'],
    'till.order.paid': ['已支付 ✓', 'Paid ✓'],
    'till.order.expired': ['已过期', 'Expired'],
    'till.paid_toast': ['订单已支付', 'Order paid'],
    'till.charge_title': ['扫顾客付款码', 'Charge a payment code'],
    'till.code': ['顾客付款码(18位数字)', 'Customer’s payment code (18 digits)'],
    'till.code_photo': ['拍摄或选择付款码照片', 'Take or choose a photo of the code'],
    'till.decoding': ['正在识别…', 'Reading…'],
    'till.decoded': ['已识别付款码。', 'Code read.'],
    'till.not_a_code': ['图片中的二维码不是付款码。', 'The QR code in the picture is not a payment code.'],
    'till.customer_pin': ['顾客支付密码(超过免密限额时需要)', 'Customer’s payment password (above the password-free limit)'],
    'till.charge_submit': ['收款', 'Charge'],
    'till.charged': ['收款成功:{amount}', 'Charged {amount}'],
    'till.payments': ['收款记录', 'Payments'],
    'till.payments_empty': ['还没有收款。', 'No payments yet.'],
    'till.refund': ['退款', 'Refund'],
    'till.refunded_part': ['已退 {amount}', 'refunded {amount}'],
    'till.refund_what': ['退款:{amount} 的付款({time}),最多可退 {left}。', 'Refund the {amount} payment ({time}); at most {left}.'],
    'till.refund_amount': ['退款金额(元)', 'Refund amount (¥)'],
    'till.refund_reason': ['退款原因(可选)', 'Reason (optional)'],
    'till.refund_submit': ['确认退款', 'Refund'],
    'till.refund_done': ['已退款 {amount}。', 'Refunded {amount}.'],
    'till.fee': ['手续费', 'fee'],
    'channel.order': ['订单码', 'order'],
    'channel.static_qr': ['静态码', 'static code'],
    'channel.payment_code': ['付款码', 'payment code'],
    'channel.payment_code_free': ['付款码(免密)', 'payment code (no password)'],
    'common.cancel': ['取消', 'Cancel'],
    'common.more': ['加载更多', 'Load more'],
  });

  const S = { merchant: null, cursor: null, orderTimer: null, orderId: null, chargeIdem: new QB.Idem(), refundIdem: new QB.Idem(), refunding: null, payments: new Map() };

  function showSignedIn(on) {
    $('boot').hidden = true;
    $('till-signin-screen').hidden = on;
    $('till-main').hidden = !on;
    $('till-signout').hidden = !on;
    $('till-name').textContent = on && S.merchant ? '· ' + S.merchant.name : '';
  }

  function unauthorized(err) {
    if (err && err.code === 'unauthorized') {
      S.merchant = null;
      stopOrderPoll();
      showSignedIn(false);
      $('till-key').focus();
      return true;
    }
    return false;
  }

  // ------------------------------------------------------------ takings
  async function loadTakings() {
    const b = await api('GET', '/v1/merchant/balance');
    const cny = ((b && b.balances) || []).find((x) => x.currency === 'CNY') || { available: 0 };
    $('till-balance').textContent = money(cny.available);
    // Today's takings (China time): the payments made today, net of refunds.
    const today = QB.chinaDay();
    let cursor;
    let total = 0;
    let count = 0;
    for (let page = 0; page < 10; page++) {
      const r = await api('GET', '/v1/merchant/payments', { query: { limit: 100, cursor } });
      let older = false;
      for (const p of r.items || []) {
        if (QB.chinaDay(new Date(p.created_at)) === today) { total += p.amount - (p.refunded || 0); count += 1; } else { older = true; }
      }
      if (older || !r.next_cursor) break;
      cursor = r.next_cursor;
    }
    $('till-today').textContent = money(total);
    $('till-today').dataset.fen = String(total);
    $('till-today-count').textContent = t('till.today_count', { n: count });
  }

  // ------------------------------------------------------------ payments and refunds
  function paymentItem(p) {
    S.payments.set(p.payment_id, p);
    const left = p.amount - (p.refunded || 0);
    return el('li', { class: 'list-item', id: 'payment-' + p.payment_id },
      el('div', { class: 'li-main' },
        el('strong', { class: 'amount', text: money(p.amount, p.currency) }),
        el('span', { class: 'pill', text: t('channel.' + p.channel) !== 'channel.' + p.channel ? t('channel.' + p.channel) : p.channel }),
        p.refunded ? el('span', { class: 'pill pill-blue', text: t('till.refunded_part', { amount: money(p.refunded, p.currency) }) }) : null,
        el('span', { class: 'muted small block', text: QB.dateTime(p.created_at) + (p.description ? ' · ' + p.description : '') + (p.fee ? ' · ' + t('till.fee') + ' ' + money(p.fee, p.currency) : '') }),
        el('span', { class: 'muted small block mono', text: p.payment_id })),
      el('div', { class: 'li-actions' },
        left > 0 ? el('button', { type: 'button', class: 'btn btn-small btn-danger-text', id: 'refund-' + p.payment_id, text: t('till.refund'),
          on: { click: () => startRefund(p.payment_id) } }) : null));
  }

  async function loadPayments(more) {
    if (!more) { S.cursor = null; QB.clear('till-payments'); S.payments.clear(); }
    QB.showError('till-payments-error', null);
    const r = await api('GET', '/v1/merchant/payments', { query: { limit: 20, cursor: more ? S.cursor : undefined } });
    const list = $('till-payments');
    for (const p of r.items || []) list.append(paymentItem(p));
    S.cursor = r.next_cursor || null;
    $('till-payments-more').hidden = !S.cursor;
    $('till-payments-empty').hidden = list.children.length > 0;
  }

  function startRefund(id) {
    const p = S.payments.get(id);
    if (!p) return;
    S.refunding = p;
    S.refundIdem.reset();
    const left = p.amount - (p.refunded || 0);
    $('till-refund-what').textContent = t('till.refund_what', { amount: money(p.amount, p.currency), time: QB.dateTime(p.created_at), left: money(left, p.currency) });
    $('till-refund-amount').value = QB.moneyPlain(left);
    $('till-refund-reason').value = '';
    QB.showError('till-refund-error', null);
    $('till-refund-result').hidden = true;
    $('till-refund-form').hidden = false;
    $('till-refund-amount').focus();
  }

  async function refreshAll() {
    await Promise.all([
      loadTakings().catch((e) => { if (!unauthorized(e)) QB.showError('till-payments-error', e); }),
      loadPayments(false).catch((e) => { if (!unauthorized(e)) QB.showError('till-payments-error', e); }),
    ]);
  }

  // ------------------------------------------------------------ orders
  function stopOrderPoll() {
    if (S.orderTimer) window.clearTimeout(S.orderTimer);
    S.orderTimer = null;
  }

  function showOrderStatus(status) {
    const s = $('till-order-status');
    s.textContent = t('till.order.' + status) !== 'till.order.' + status ? t('till.order.' + status) : status;
    s.className = 'status-' + status;
    s.dataset.status = status;
  }

  function pollOrder(id) {
    stopOrderPoll();
    const tick = async () => {
      if (S.orderId !== id) return;
      try {
        const o = await api('GET', '/v1/merchant/orders/' + encodeURIComponent(id));
        if (S.orderId !== id) return;
        showOrderStatus(o.status);
        if (o.status === 'paid') {
          QB.toast(t('till.paid_toast'), money(o.amount), 'ok');
          QB.announce(t('till.paid_toast') + ' ' + money(o.amount));
          refreshAll();
          return;
        }
        if (o.status === 'expired') return;
      } catch (e) {
        if (unauthorized(e)) return;
      }
      S.orderTimer = window.setTimeout(tick, 1500);
    };
    S.orderTimer = window.setTimeout(tick, 1500);
  }

  // ------------------------------------------------------------ wiring
  function wire() {
    QB.form('till-signin-form', async () => {
      const key = $('till-key').value.trim();
      if (!key) throw QB.localError('required', $('till-key'));
      try {
        S.merchant = await api('POST', '/web/merchant/session', { body: { api_key: key } });
      } catch (err) {
        err.input = $('till-key');
        if (err.code === 'unauthorized') err.code = 'till_key_invalid';
        throw err;
      }
      $('till-key').value = '';
      showSignedIn(true);
      await refreshAll();
      $('till-order-amount').focus();
    });

    $('till-signout').addEventListener('click', async () => {
      try { await api('DELETE', '/web/merchant/session'); } catch (_) { /* signed out anyway */ }
      S.merchant = null;
      stopOrderPoll();
      showSignedIn(false);
      QB.toast(t('till.signed_out'), '', 'ok');
      $('till-key').focus();
    });

    $('till-refresh').addEventListener('click', refreshAll);
    $('till-payments-more').addEventListener('click', () => loadPayments(true).catch((e) => QB.showError('till-payments-error', e)));

    QB.form('till-order-form', async () => {
      const amount = QB.amountOf('till-order-amount');
      const description = $('till-order-desc').value.trim();
      let o;
      try {
        o = await api('POST', '/v1/merchant/orders', { body: { amount, description }, idem: QB.uuid() });
      } catch (err) {
        if (unauthorized(err)) return;
        throw err;
      }
      S.orderId = o.order_id;
      QB.qrImg($('till-order-qr'), o.qr_svg, t('till.order_qr_alt'));
      $('till-order-amount-shown').textContent = money(o.amount);
      $('till-order-id').textContent = o.order_id;
      $('till-order-payload').textContent = o.qr_payload;
      showOrderStatus(o.status);
      $('till-order-form').hidden = true;
      $('till-order-box').hidden = false;
      pollOrder(o.order_id);
      $('till-order-new').focus();
    });

    $('till-order-new').addEventListener('click', () => {
      stopOrderPoll();
      S.orderId = null;
      $('till-order-box').hidden = true;
      $('till-order-form').hidden = false;
      $('till-order-amount').value = '';
      $('till-order-desc').value = '';
      $('till-order-amount').focus();
    });

    $('till-charge-file').addEventListener('change', async () => {
      const file = $('till-charge-file').files[0];
      if (!file) return;
      const status = $('till-charge-decode');
      QB.showError('till-charge-error', null);
      status.textContent = t('till.decoding');
      try {
        const r = await api('POST', '/v1/qr/decode', { raw: file, contentType: QB.imageType(file) });
        const digits = String(r.payload || '').replace(/\s/g, '');
        if (!/^\d{18}$/.test(digits)) {
          status.textContent = t('till.not_a_code');
        } else {
          $('till-charge-code').value = digits;
          status.textContent = t('till.decoded');
          $('till-charge-amount').focus();
        }
      } catch (err) {
        status.textContent = '';
        if (!unauthorized(err)) QB.showError('till-charge-error', err);
      } finally {
        $('till-charge-file').value = '';
      }
    });
    $('till-charge-code').addEventListener('input', () => S.chargeIdem.reset());
    $('till-charge-amount').addEventListener('input', () => S.chargeIdem.reset());

    QB.form('till-charge-form', async () => {
      $('till-charge-result').hidden = true;
      const codeInput = $('till-charge-code');
      const code = codeInput.value.replace(/\s/g, '');
      if (!/^\d{18}$/.test(code)) throw Object.assign(new Error('code'), { code: 'payment_code_invalid', input: codeInput });
      const amount = QB.amountOf('till-charge-amount');
      const body = { payment_code: code, amount };
      const description = $('till-charge-desc').value.trim();
      if (description) body.description = description;
      if (!$('till-charge-pin-row').hidden) body.pin = QB.digits6('till-charge-pin');
      let r;
      try {
        r = await api('POST', '/v1/merchant/charges', { body, idem: S.chargeIdem.get() });
        S.chargeIdem.settle(null);
      } catch (err) {
        S.chargeIdem.settle(err);
        if (unauthorized(err)) return;
        if (err.code === 'pin_required') { $('till-charge-pin-row').hidden = false; err.input = $('till-charge-pin'); }
        if (err.code === 'pin_incorrect') { $('till-charge-pin').value = ''; err.input = $('till-charge-pin'); }
        if (err.code === 'payment_code_invalid' || err.code === 'payment_code_expired') err.input = codeInput;
        throw err;
      }
      const res = $('till-charge-result');
      res.textContent = t('till.charged', { amount: money(r.amount) });
      res.dataset.paymentId = r.payment_id;
      res.hidden = false;
      QB.announce(res.textContent);
      codeInput.value = '';
      $('till-charge-amount').value = '';
      $('till-charge-desc').value = '';
      $('till-charge-pin').value = '';
      $('till-charge-pin-row').hidden = true;
      await refreshAll();
    });

    $('till-refund-cancel').addEventListener('click', () => { $('till-refund-form').hidden = true; S.refunding = null; });
    QB.form('till-refund-form', async () => {
      const p = S.refunding;
      if (!p) return;
      const amount = QB.amountOf('till-refund-amount');
      const body = { payment_id: p.payment_id, amount };
      const reason = $('till-refund-reason').value.trim();
      if (reason) body.reason = reason;
      let r;
      try {
        r = await api('POST', '/v1/merchant/refunds', { body, idem: S.refundIdem.get() });
        S.refundIdem.settle(null);
      } catch (err) {
        S.refundIdem.settle(err);
        if (unauthorized(err)) return;
        if (err.code === 'refund_exceeds_payment' || err.code === 'amount_invalid') err.input = $('till-refund-amount');
        throw err;
      }
      $('till-refund-form').hidden = true;
      S.refunding = null;
      const res = $('till-refund-result');
      res.textContent = t('till.refund_done', { amount: money(r.amount) });
      res.dataset.refundId = r.refund_id;
      res.hidden = false;
      QB.announce(res.textContent);
      await refreshAll();
    });
  }

  QB.strings({
    'err.till_key_invalid': ['商户密钥不正确或已失效。请核对密钥;如果密钥已更换,请使用新密钥。', 'The shop key is wrong or no longer valid. Check it; if it was rotated, use the new key.'],
  });

  async function boot() {
    QB.initLang();
    QB.onLang(() => {
      if (S.merchant) {
        refreshAll();
        const st = $('till-order-status').dataset.status;
        if (st) showOrderStatus(st);
      }
    });
    wire();
    try {
      S.merchant = await api('GET', '/web/merchant/session');
    } catch (_) {
      S.merchant = null;
    }
    showSignedIn(!!S.merchant);
    if (S.merchant) await refreshAll();
    document.body.dataset.ready = '1';
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
})();
