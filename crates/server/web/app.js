/* qianbao web — the holder's app at `/`: a single page with hash routes (#/home, #/open, …).
 * Talks to the server only through QB.api (common.js): cookie session, CSRF header, problem+json. */
'use strict';

(function () {
  const { $, t, el, api, money } = QB;

  // ================================================================ strings
  QB.strings({
    'page.title': ['钱包 qianbao', 'qianbao wallet'],
    'a11y.skip': ['跳到主要内容', 'Skip to content'],
    'app.loading': ['加载中…', 'Loading…'],
    'app.server_unreachable': ['无法连接服务器,请检查网络后刷新页面。', 'Cannot reach the server. Check the network and reload.'],
    'nav.back': ['返回', 'Back'],
    'nav.records': ['交易记录', 'Records'],
    'nav.cards': ['银行卡', 'Bank cards'],
    'nav.notices': ['消息通知', 'Notifications'],
    'nav.security': ['安全中心', 'Security'],
    'nav.shop': ['开店收款(成为商户)', 'Open a shop (take payments)'],
    'title.welcome': ['钱包', 'Wallet'],
    'title.open': ['开通钱包', 'Open a wallet'],
    'title.login': ['登录', 'Sign in'],
    'title.recover': ['找回登录密码', 'Reset password'],
    'title.lost': ['手机丢失 · 冻结钱包', 'Lost phone · freeze'],
    'title.home': ['我的钱包', 'My wallet'],
    'title.paycode': ['付款码', 'Payment code'],
    'title.receive': ['收款码', 'Receive'],
    'title.scan': ['扫码付款', 'Scan to pay'],
    'title.transfer': ['转账', 'Transfer'],
    'title.topup': ['充值', 'Top up'],
    'title.withdraw': ['提现', 'Withdraw'],
    'title.records': ['交易记录', 'Records'],
    'title.cards': ['银行卡', 'Bank cards'],
    'title.security': ['安全中心', 'Security'],
    'title.notices': ['消息通知', 'Notifications'],
    'title.shop': ['开店收款', 'Open a shop'],
    'welcome.title': ['安全、便捷的数字钱包', 'A safe, simple digital wallet'],
    'welcome.lead': ['手机号注册,实名认证,绑定银行卡,即可扫码付款、转账和收款。', 'Sign up with your phone, verify your name, bind a card — then pay, transfer and receive.'],
    'welcome.open': ['开通钱包', 'Open a wallet'],
    'welcome.login': ['登录', 'Sign in'],
    'welcome.lost': ['手机丢失?立即冻结钱包', 'Lost your phone? Freeze the wallet'],
    'open.steps_label': ['开通步骤', 'Opening steps'],
    'open.s1': ['手机验证', 'Phone'],
    'open.s2': ['登录密码', 'Password'],
    'open.s3': ['实名认证', 'Identity'],
    'open.s4': ['绑定银行卡', 'Bank card'],
    'open.s5': ['支付密码', 'Payment PIN'],
    'open.s6': ['完成', 'Done'],
    'open.step_of': ['第 {n} 步,共 6 步:{name}', 'Step {n} of 6: {name}'],
    'open.s1.title': ['验证手机号', 'Verify your phone'],
    'open.s1.help': ['输入本人手机号,获取6位短信验证码。', 'Enter your mobile number and get a 6-digit SMS code.'],
    'open.s2.title': ['设置登录密码', 'Choose a sign-in password'],
    'open.s2.help': ['登录密码用于登录钱包,请妥善保管。', 'You will use it to sign in. Keep it safe.'],
    'open.s3.title': ['实名认证', 'Verify your real name'],
    'open.s3.help': ['按法规要求,请填写与身份证一致的姓名和号码,并上传身份证照片。须年满18周岁。', 'By regulation: your name and ID number exactly as on the ID card, and a photo of the card. You must be 18 or older.'],
    'open.s4.title': ['绑定银行卡', 'Bind a bank card'],
    'open.s4.help': ['只能绑定本人名下的银行卡。银行会向预留手机号发送验证码。', 'Only a card in your own name. The bank texts a code to the phone registered with it.'],
    'open.s5.title': ['设置支付密码', 'Set the payment password'],
    'open.s5.help': ['6位数字,用于付款、转账和提现,与登录密码不同。', 'Six digits, for payments, transfers and withdrawals — not your sign-in password.'],
    'open.s6.title': ['开通完成', 'All set'],
    'open.s6.help': ['现在可以从银行卡充值,或直接扫码付款、转账。', 'Top up from your card now, or start paying and transferring.'],
    'open.done': ['钱包已开通!', 'Your wallet is open!'],
    'open.next': ['下一步', 'Next'],
    'open.back': ['上一步', 'Back'],
    'open.create': ['注册', 'Create wallet'],
    'open.verify': ['提交认证', 'Verify'],
    'open.set_pin': ['设置支付密码', 'Set payment password'],
    'open.topup_now': ['立即充值', 'Top up now'],
    'open.go_home': ['进入钱包首页', 'Go to my wallet'],
    'open.have_wallet': ['已有钱包?', 'Already have a wallet?'],
    'open.verified': ['✓ 实名认证通过(出生日期 {date})。请上传身份证照片。', '✓ Name verified (born {date}). Now upload the photo of your ID card.'],
    'open.photo_ok': ['身份证照片已上传。', 'ID photo accepted.'],
    'open.pin_was_set': ['支付密码此前已设置。', 'A payment password was already set.'],
    'open.signed_up': ['注册成功,已登录。', 'Wallet created; you are signed in.'],
    'f.phone': ['手机号', 'Phone number'],
    'f.phone_ph': ['11位手机号', '11-digit mobile number'],
    'f.otp': ['短信验证码', 'SMS code'],
    'f.otp_ph': ['6位数字', '6 digits'],
    'f.login_otp': ['新设备登录验证码', 'New-device sign-in code'],
    'f.password': ['登录密码', 'Password'],
    'f.password_new': ['新登录密码', 'New password'],
    'f.password_again': ['再次输入密码', 'Password again'],
    'f.password_rule': ['8–128 位,不能是常见密码,不能包含手机号。', '8–128 characters, not a common password, not containing your phone number.'],
    'f.real_name': ['真实姓名', 'Legal name'],
    'f.id_number': ['身份证号', 'ID number'],
    'f.id_number_ph': ['18位,末位可为X', '18 characters, the last may be X'],
    'f.id_number_if': ['身份证号(已实名的账户必填)', 'ID number (required once verified)'],
    'f.id_photo': ['身份证照片', 'Photo of the ID card'],
    'f.id_photo_rule': ['JPEG 或 PNG,不超过5MB,至少300×300像素,清晰无反光。', 'JPEG or PNG, at most 5 MB, at least 300×300 px, sharp, no glare.'],
    'f.card_number': ['银行卡号', 'Card number'],
    'f.card_number_bound': ['已绑定的银行卡号', 'Number of a bound card'],
    'f.card_holder': ['持卡人姓名', 'Cardholder name'],
    'f.reserved_phone': ['银行预留手机号', 'Phone registered with the bank'],
    'f.reserved_phone_hint': ['银行的验证码会发送到这个号码。', 'The bank’s code goes to this number.'],
    'f.credit_only': ['信用卡需填写(借记卡可不填)', 'Credit cards only'],
    'f.expiry': ['有效期', 'Expiry'],
    'f.cvv': ['安全码 CVV', 'CVV'],
    'f.bank_otp': ['银行短信验证码', 'The bank’s SMS code'],
    'f.pin': ['支付密码', 'Payment password'],
    'f.pin_new': ['新支付密码(6位数字)', 'New payment password (6 digits)'],
    'f.pin_old': ['当前支付密码', 'Current payment password'],
    'f.pin_again': ['再次输入支付密码', 'Payment password again'],
    'f.pin_rule': ['不能是相同或连续数字、生日、身份证或手机号后六位。', 'Not repeated or consecutive digits, your birth date, or the last six of your ID or phone.'],
    'f.amount': ['金额(元)', 'Amount (¥)'],
    'f.amount_optional': ['指定金额(元,可不填)', 'Fixed amount (¥, optional)'],
    'f.memo': ['备注(可选)', 'Note (optional)'],
    'f.delay': ['到账时间', 'Arrival'],
    'f.card': ['付款银行卡', 'From card'],
    'f.card_to': ['到账银行卡', 'To card'],
    'f.month': ['月份', 'Month'],
    'f.type': ['类型', 'Type'],
    'f.from': ['开始日期', 'From'],
    'f.to': ['结束日期', 'To'],
    'f.shop_name': ['店铺名称', 'Shop name'],
    'f.shop_category': ['经营类别', 'Category'],
    'delay.none': ['实时到账', 'Now'],
    'delay.2h': ['2小时后到账(防诈骗)', 'In 2 hours (anti-fraud)'],
    'delay.24h': ['24小时后到账(防诈骗)', 'In 24 hours (anti-fraud)'],
    'card.submit': ['获取银行验证码', 'Send the bank’s code'],
    'card.confirm': ['确认绑定', 'Confirm'],
    'card.other': ['修改卡信息', 'Change details'],
    'card.code_sent': ['银行验证码已发送至 {phone}。', 'The bank sent a code to {phone}.'],
    'card.bound': ['已绑定 {bank} 尾号 {last4}。', 'Bound {bank} card ending {last4}.'],
    'login.title': ['登录钱包', 'Sign in'],
    'login.submit': ['登录', 'Sign in'],
    'login.forgot': ['忘记密码?', 'Forgot password?'],
    'reset.title': ['找回 / 修改登录密码', 'Reset or change the password'],
    'reset.help': ['通过短信验证码和身份证号验证身份后设置新密码;重设后登录锁定会解除。', 'Prove it is you with an SMS code and your ID number, then choose a new password. This also unlocks sign-in.'],
    'reset.submit': ['重设密码', 'Reset password'],
    'reset.done': ['密码已重设。', 'The password is reset.'],
    'lost.title': ['冻结钱包', 'Freeze the wallet'],
    'lost.help': ['手机丢失或被盗时,输入手机号和登录密码立即冻结钱包,冻结后资金不能转出。', 'If your phone is lost or stolen, freeze the wallet with your phone number and password: no money can leave it.'],
    'lost.submit': ['立即冻结', 'Freeze now'],
    'lost.done': ['钱包已冻结。找回手机后,登录并在安全中心验证身份即可解冻。', 'The wallet is frozen. Sign in and unfreeze it under Security once you are safe.'],
    'home.balance': ['可用余额', 'Available balance'],
    'home.held': ['冻结中', 'On hold'],
    'home.actions': ['常用功能', 'Quick actions'],
    'home.frozen': ['钱包已冻结,资金不能转出。', 'The wallet is frozen: no money can leave it.'],
    'home.frozen_link': ['去解冻', 'Unfreeze'],
    'home.continue': ['还差几步完成开通(当前:{level}),完成后可提高限额、充值和提现。', 'A few steps are left (now: {level}); finishing them raises limits and enables top-up and withdrawal.'],
    'home.continue_link': ['继续开通', 'Continue'],
    'home.limits': ['当前限额:单笔 {per}、每日 {day}、余额上限 {cap}。', 'Limits: {per} per payment, {day} per day, balance cap {cap}.'],
    'home.no_limit': ['不限', 'none'],
    'level.0': ['未实名', 'Not verified'],
    'level.1': ['已实名', 'Name verified'],
    'level.2': ['已绑卡', 'Card bound'],
    'level.3': ['已人脸认证', 'Face verified'],
    'act.scan': ['扫一扫', 'Scan'],
    'act.paycode': ['付款码', 'Pay code'],
    'act.receive': ['收款', 'Receive'],
    'act.transfer': ['转账', 'Transfer'],
    'act.topup': ['充值', 'Top up'],
    'act.withdraw': ['提现', 'Withdraw'],
    'paycode.help': ['向商家出示付款码,每60秒自动刷新。请勿截图发送给他人。', 'Show this to the cashier. It refreshes every 60 s. Never send it to anyone.'],
    'paycode.refresh': ['刷新付款码', 'Refresh'],
    'paycode.expires': ['{n} 秒后自动刷新', 'Refreshes in {n} s'],
    'paycode.alt': ['付款码二维码', 'Payment code QR'],
    'receive.help': ['让对方用钱包扫一扫,向您付款。', 'Let the payer scan this with their wallet.'],
    'receive.submit': ['生成收款码', 'Make the code'],
    'receive.alt': ['收款二维码', 'Receive QR code'],
    'scan.title': ['扫码付款', 'Scan to pay'],
    'scan.upload': ['拍照或选择二维码图片', 'Take or choose a photo of the QR code'],
    'scan.upload_hint': ['支持截图和照片(JPEG/PNG),图片在服务器上识别。', 'A screenshot or photo (JPEG/PNG), read on the server.'],
    'scan.decoding': ['正在识别二维码…', 'Reading the QR code…'],
    'scan.or': ['或者', 'or'],
    'scan.paste': ['粘贴二维码内容', 'Paste the QR code text'],
    'scan.confirm_title': ['确认付款', 'Confirm the payment'],
    'scan.payee': ['收款方', 'Payee'],
    'scan.kind': ['类型', 'Kind'],
    'scan.kind.r': ['个人收款码', 'Personal receive code'],
    'scan.kind.m': ['商户收款码(请输入金额)', 'Shop code (enter the amount)'],
    'scan.kind.o': ['商户订单', 'Shop order'],
    'scan.shop': ['商户 {id}', 'Shop {id}'],
    'scan.order': ['商户订单 · {id}', 'Shop order · {id}'],
    'scan.pay': ['确认付款', 'Pay'],
    'scan.paid': ['付款成功', 'Payment succeeded'],
    'scan.paid_to': ['收款方:{payee}', 'Paid to {payee}'],
    'scan.held': ['付款正在安全审核中,审核通过后完成。', 'The payment is being reviewed for safety and completes once approved.'],
    'transfer.phone': ['对方手机号', 'Payee’s phone number'],
    'transfer.lookup': ['查找', 'Look up'],
    'transfer.to': ['转给', 'To'],
    'transfer.check_name': ['请核对对方姓名,谨防诈骗。', 'Check the name: beware of fraud.'],
    'transfer.submit': ['确认转账', 'Transfer'],
    'transfer.done': ['已向 {name} 转账 {amount}。', 'Sent {amount} to {name}.'],
    'transfer.scheduled': ['转账 {amount} 已预约,将延时到账给 {name},到账前可撤销。', '{amount} to {name} is scheduled and can be cancelled until it arrives.'],
    'money.no_card': ['还没有可用的银行卡。', 'No bank card yet.'],
    'money.add_card': ['去绑卡', 'Bind a card'],
    'quote.amount': ['金额', 'Amount'],
    'quote.fee': ['手续费', 'Fee'],
    'quote.total_topup': ['银行卡支付', 'Card pays'],
    'quote.total_withdraw': ['余额扣除', 'Balance pays'],
    'quote.show_fee': ['查看手续费', 'See the fee'],
    'topup.confirm': ['确认充值', 'Top up'],
    'topup.done': ['充值成功:{amount}(手续费 {fee})。', 'Topped up {amount} (fee {fee}).'],
    'topup.pending': ['充值已提交,等待银行确认:{amount}。', 'Top-up of {amount} sent; waiting for the bank.'],
    'withdraw.available': ['可提现余额', 'Available'],
    'withdraw.confirm': ['确认提现', 'Withdraw'],
    'withdraw.done': ['提现成功:{amount}(手续费 {fee})。', 'Withdrew {amount} (fee {fee}).'],
    'withdraw.pending': ['提现已提交:{amount}(手续费 {fee}),银行处理后到账。', 'Withdrawal of {amount} (fee {fee}) sent; it arrives once the bank confirms.'],
    'summary.title': ['月度收支', 'Month summary'],
    'summary.show': ['查看', 'Show'],
    'summary.in': ['收入', 'In'],
    'summary.out': ['支出', 'Out'],
    'summary.chart': ['按类别的收支柱状图', 'Bar chart of the month by category'],
    'summary.none': ['本月没有交易。', 'No records this month.'],
    'records.title': ['交易记录', 'Records'],
    'records.filter': ['筛选', 'Filter'],
    'records.csv': ['⬇ 导出 CSV', '⬇ Download CSV'],
    'records.empty': ['没有符合条件的记录。', 'No records match.'],
    'type.all': ['全部', 'All'],
    'type.topup': ['充值', 'Top-up'],
    'type.withdrawal': ['提现', 'Withdrawal'],
    'type.transfer': ['转账', 'Transfer'],
    'type.payment': ['付款', 'Payment'],
    'type.refund': ['退款', 'Refund'],
    'type.settlement': ['结算', 'Settlement'],
    'dir.in': ['收入', 'in'],
    'dir.out': ['支出', 'out'],
    'status.succeeded': ['成功', 'succeeded'],
    'status.pending': ['处理中', 'pending'],
    'status.scheduled': ['预约中', 'scheduled'],
    'status.failed': ['失败', 'failed'],
    'status.cancelled': ['已撤销', 'cancelled'],
    'status.held_for_review': ['审核中', 'under review'],
    'status.active': ['正常', 'active'],
    'status.frozen': ['已冻结', 'frozen'],
    'status.restricted': ['受限', 'restricted'],
    'status.closed': ['已注销', 'closed'],
    'status.pending_otp': ['待验证', 'awaiting code'],
    'cards.empty': ['还没有绑定银行卡。', 'No cards yet.'],
    'cards.add': ['添加银行卡', 'Add a card'],
    'cards.default': ['默认', 'Default'],
    'cards.set_default': ['设为默认', 'Make default'],
    'cards.unbind': ['解绑', 'Unbind'],
    'cards.unbind_what': ['解绑 {bank} 尾号 {last4}:请输入支付密码确认。', 'Unbind {bank} ending {last4}: confirm with the payment password.'],
    'cards.unbound': ['银行卡已解绑。', 'Card unbound.'],
    'cards.defaulted': ['已设为默认卡。', 'Default card set.'],
    'cards.debit': ['储蓄卡', 'debit'],
    'cards.credit': ['信用卡', 'credit'],
    'sec.status': ['账户状态', 'Account status'],
    'sec.status_line': ['{status} · {level} · 手机 {phone}', '{status} · {level} · phone {phone}'],
    'sec.sessions': ['登录设备', 'Signed-in devices'],
    'sec.this_device': ['本设备', 'This device'],
    'sec.session_meta': ['登录于 {created},最近使用 {seen}', 'Signed in {created}, last used {seen}'],
    'sec.session_out': ['下线', 'Sign out'],
    'sec.session_ended': ['该设备已下线。', 'That device is signed out.'],
    'sec.logout': ['退出登录', 'Sign out here'],
    'sec.password': ['登录密码', 'Sign-in password'],
    'sec.password_help': ['修改登录密码需要短信验证码和身份证号。', 'Changing it needs an SMS code and your ID number.'],
    'sec.change_password': ['修改登录密码', 'Change password'],
    'sec.pin_change': ['修改支付密码', 'Change payment password'],
    'sec.pin_change_submit': ['修改', 'Change'],
    'sec.pin_changed': ['支付密码已修改。', 'Payment password changed.'],
    'sec.pin_reset': ['找回支付密码', 'Reset payment password'],
    'sec.pin_reset_help': ['忘记支付密码或已锁定时,通过短信验证码、身份证号和已绑定银行卡号验证后重设,并立即解锁。', 'Forgot it, or locked? Prove it is you with an SMS code, your ID number and a bound card number; this also unlocks payments.'],
    'sec.pin_reset_submit': ['重设支付密码', 'Reset payment password'],
    'sec.pin_reset_done': ['支付密码已重设,支付已解锁。', 'Payment password reset; payments unlocked.'],
    'sec.freeze': ['冻结钱包(挂失)', 'Freeze the wallet'],
    'sec.freeze_help': ['怀疑账户被盗用时立即冻结,冻结后资金不能转出。', 'Freeze at once if you suspect misuse: no money can leave the wallet.'],
    'sec.freeze_button': ['冻结钱包', 'Freeze wallet'],
    'sec.freeze_sure': ['确定冻结钱包吗?解冻需要短信验证码、身份证号和登录密码。', 'Freeze the wallet? Unfreezing needs an SMS code, your ID number and password.'],
    'sec.freeze_confirm': ['确定冻结', 'Freeze'],
    'sec.frozen': ['钱包已冻结。', 'The wallet is frozen.'],
    'sec.unfreeze': ['解冻钱包', 'Unfreeze the wallet'],
    'sec.unfreeze_help': ['验证短信验证码、身份证号和登录密码后解冻。', 'Confirm an SMS code, your ID number and your password.'],
    'sec.unfreeze_submit': ['解冻', 'Unfreeze'],
    'sec.unfrozen': ['钱包已解冻。', 'The wallet is active again.'],
    'sec.logged_out': ['已退出登录。', 'Signed out.'],
    'notices.empty': ['暂无消息。', 'No notifications yet.'],
    'notices.new': ['新消息', 'New notification'],
    'shop.help': ['开通商户后,可以用收银台创建订单、扫顾客付款码收款和退款。需先完成实名认证。', 'A shop can take payments at the till: orders, customers’ payment codes, refunds. Needs a verified name.'],
    'shop.submit': ['开通商户', 'Open the shop'],
    'shop.done': ['商户已开通。', 'The shop is open.'],
    'shop.key_once': ['请立即保存商户密钥:它只显示这一次,用于登录收银台。', 'Save the shop key now: it is shown only this once, and signs in to the till.'],
    'shop.key': ['商户密钥', 'Shop key'],
    'shop.copy': ['复制密钥', 'Copy key'],
    'shop.copied': ['已复制。', 'Copied.'],
    'shop.static': ['店铺静态收款码内容', 'The shop’s static QR text'],
    'shop.till': ['打开收银台', 'Open the till'],
    'cat.retail': ['零售', 'Retail'],
    'cat.restaurant': ['餐饮', 'Restaurant'],
    'cat.grocery': ['生鲜超市', 'Grocery'],
    'cat.transport': ['交通出行', 'Transport'],
    'cat.utilities': ['生活缴费', 'Utilities'],
    'cat.services': ['生活服务', 'Services'],
    'cat.other': ['其他', 'Other'],
    'common.cancel': ['取消', 'Cancel'],
    'common.done': ['完成', 'Done'],
    'common.more': ['加载更多', 'Load more'],
    'dev.title': ['开发者面板 / Developer panel (sandbox)', '开发者面板 / Developer panel (sandbox)'],
    'dev.help': ['沙箱短信(每2秒刷新),号码:', 'Sandbox SMS outbox (refreshes every 2 s), phones:'],
    'dev.latest': ['最新验证码:', 'Latest code:'],
    'dev.empty': ['输入手机号并获取验证码后,短信会显示在这里。', 'Enter a phone number and ask for a code; the SMS shows up here.'],
    'dev.fill': ['填入', 'Fill in'],
  });

  // ================================================================ state
  const S = {
    me: null,
    sandbox: false,
    screen: null,
    onboard: { step: 0, phone: '', otp: '', name: '', idNumber: '' },
    cards: [],
    es: null,
    leave: null,
  };

  const PUBLIC = ['welcome', 'open', 'login', 'recover', 'lost'];
  const DEVICE_KEY = 'qb_device_id';

  function deviceName() {
    const ua = navigator.userAgent;
    const browser = /Edg\//.test(ua) ? 'Edge' : /Chrome\//.test(ua) ? 'Chrome' : /Firefox\//.test(ua) ? 'Firefox' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
    const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : '';
    return (browser + (os ? ' · ' + os : '')).slice(0, 60);
  }

  function rememberDevice(id) { try { if (id) localStorage.setItem(DEVICE_KEY, id); } catch (_) { /* off */ } }
  function knownDevice() { try { return localStorage.getItem(DEVICE_KEY) || undefined; } catch (_) { return undefined; } }

  function normalizePhone(v) {
    const d = String(v || '').replace(/[^\d]/g, '');
    if (/^861\d{10}$/.test(d)) return d.slice(2);
    return /^1\d{10}$/.test(d) ? d : '';
  }

  /** A check made here, before asking the server, reported with the server's code. */
  function codeError(code, input, extra) {
    return Object.assign(new Error(code), { code, input }, extra || {});
  }

  function levelText(level) { return t('level.' + Math.max(0, Math.min(3, level | 0))); }

  // ================================================================ error links (what to do next)
  QB.errorLink = function (err) {
    switch (err.code) {
      case 'login_locked': return { href: '#/recover', label: t('login.forgot') };
      case 'pin_locked': return { href: '#/security?pinreset', label: t('sec.pin_reset') };
      case 'phone_taken': return { href: '#/login', label: t('welcome.login') };
      case 'kyc_required': return S.me ? { href: '#/open', label: t('home.continue_link') } : null;
      case 'pin_not_set': return { href: '#/open', label: t('open.set_pin') };
      case 'account_frozen': return S.me ? { href: '#/security', label: t('sec.unfreeze') } : null;
      case 'insufficient_balance': return S.me && S.screen !== 'topup' ? { href: '#/topup', label: t('act.topup') } : null;
      case 'limit_exceeded': return S.me && S.me.kyc_level < 2 ? { href: '#/open', label: t('home.continue_link') } : null;
      case 'unauthorized': return { href: '#/login', label: t('welcome.login') };
      default: return null;
    }
  };

  // ================================================================ routing
  function routeName() {
    const h = location.hash.replace(/^#\/?/, '');
    return h.split(/[/?]/)[0];
  }

  function go(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  }

  async function route() {
    let name = routeName();
    if (!document.getElementById('screen-' + name)) name = S.me ? 'home' : 'welcome';
    if (!S.me && !PUBLIC.includes(name)) name = 'welcome';
    if (S.me && (name === 'welcome' || name === 'login' || name === 'lost')) name = 'home';
    if ('#/' + name !== location.hash.split('?')[0]) {
      history.replaceState(null, '', '#/' + name);
    }
    if (S.leave) { try { S.leave(); } catch (e) { console.error(e); } S.leave = null; }
    S.screen = name;
    $('boot').hidden = true;
    document.querySelectorAll('main > .screen').forEach((s) => { s.hidden = s.dataset.screen !== name; });
    $('screen-title').textContent = t('title.' + name);
    $('screen-title').setAttribute('data-i18n', 'title.' + name);
    const back = $('nav-back');
    back.hidden = name === 'home' || name === 'welcome';
    back.setAttribute('href', S.me ? '#/home' : '#/welcome');
    $('nav-notices-top').hidden = !S.me;
    const enter = ENTER[name];
    if (enter) {
      try { await enter(); } catch (e) { handleLoadError(e); }
    }
    const main = $('main');
    if (document.activeElement === document.body || !main.contains(document.activeElement)) {
      main.focus({ preventScroll: true });
    }
    window.scrollTo(0, 0);
  }

  function handleLoadError(err) {
    if (err && err.code === 'unauthorized') { signedOut(); return; }
    const box = document.querySelector('#screen-' + S.screen + ' .error');
    QB.showError(box, err);
  }

  function signedOut() {
    S.me = null;
    stopStream();
    setBadge(0);
    go('#/welcome');
  }

  async function loadMe() {
    try {
      S.me = await api('GET', '/v1/me');
      $('offline-banner').hidden = true;
    } catch (e) {
      S.me = null;
      if (e.network) $('offline-banner').hidden = false;
    }
    return S.me;
  }

  async function signedIn() {
    await loadMe();
    startStream();
    refreshBadge();
  }

  // ================================================================ onboarding (six steps)
  function openStepFor(me) {
    if (!me) return S.onboard.step === 2 ? 2 : 1;
    if (S.onboard.step >= 3) return S.onboard.step;
    if (me.kyc_level < 1) return 3;
    if (me.kyc_level < 2) return 4;
    return 5;
  }

  function showStep(n) {
    S.onboard.step = n;
    for (let i = 1; i <= 6; i++) {
      $('open-step-' + i).hidden = i !== n;
      const li = $('step-ind-' + i);
      li.classList.toggle('done', i < n);
      li.classList.toggle('current', i === n);
      if (i === n) li.setAttribute('aria-current', 'step'); else li.removeAttribute('aria-current');
    }
    const label = $('open-step-label');
    label.textContent = t('open.step_of', { n, name: t('open.s' + n) });
    if (n === 4) placeCardBox('card-host-onboard', 'onboard');
    if (n === 4) prefillCard();
    const first = $('open-step-' + n).querySelector('input:not([disabled]):not([type=file]), button');
    if (first && S.screen === 'open') window.setTimeout(() => first.focus(), 0);
  }

  function enterOpen() {
    showStep(openStepFor(S.me));
  }

  function prefillCard() {
    if (!$('card-holder').value && S.onboard.name) $('card-holder').value = S.onboard.name;
    if (!$('card-id-number').value && S.onboard.idNumber) $('card-id-number').value = S.onboard.idNumber;
    if (!$('card-phone').value) {
      const p = S.me ? normalizePhone(S.me.phone) : normalizePhone(S.onboard.phone);
      if (p) $('card-phone').value = p;
    }
  }

  function wireOpen() {
    QB.codeButton('signup-send-code', () => QB.phoneOf('signup-phone'), 'signup', 'signup-error-1');

    QB.form('signup-form-1', async () => {
      const phone = QB.phoneOf('signup-phone');
      const otp = QB.digits6('signup-otp', 'otp');
      S.onboard.phone = phone;
      S.onboard.otp = otp;
      showStep(2);
    });

    $('signup-back').addEventListener('click', () => showStep(1));

    QB.form('signup-form-2', async () => {
      const pw = $('signup-password').value;
      if (pw.length < 8) throw codeError('password_weak', $('signup-password'), { reason: 'too_short' });
      if (pw !== $('signup-password-2').value) throw QB.localError('password_mismatch', $('signup-password-2'));
      try {
        const r = await api('POST', '/web/signup', {
          body: { phone: S.onboard.phone, otp: S.onboard.otp, password: pw, device_name: deviceName() },
        });
        rememberDevice(r.device_id);
      } catch (err) {
        if (['otp_invalid', 'otp_expired', 'phone_invalid', 'phone_taken', 'otp_rate_limited', 'account_restricted'].includes(err.code)) {
          showStep(1);
          QB.showError('signup-error-1', err);
          QB.announce(QB.errorText(err));
          QB.invalid(err.code === 'phone_invalid' || err.code === 'phone_taken' ? 'signup-phone' : 'signup-otp');
          return;
        }
        if (err.code === 'password_weak') err.input = $('signup-password');
        throw err;
      }
      $('signup-password').value = '';
      $('signup-password-2').value = '';
      await signedIn();
      QB.announce(t('open.signed_up'));
      showStep(3);
    });

    $('id-photo').addEventListener('change', () => {
      const f = $('id-photo').files[0];
      const img = $('id-photo-preview');
      if (img.src && img.src.startsWith('blob:')) URL.revokeObjectURL(img.src);
      if (f) { img.src = URL.createObjectURL(f); img.hidden = false; } else { img.hidden = true; }
    });

    QB.form('id-form', async () => {
      const name = $('id-name').value.trim();
      const idNumber = $('id-number').value.trim().toUpperCase();
      if (!S.me || S.me.kyc_level < 1) {
        if (!name) throw QB.localError('required', $('id-name'));
        if (!/^\d{17}[\dX]$/.test(idNumber)) throw codeError('id_number_invalid', $('id-number'));
        const file = $('id-photo').files[0];
        if (!file) throw QB.localError('file', $('id-photo'));
        try {
          const r = await api('POST', '/v1/me/identity', { body: { name, id_number: idNumber } });
          S.onboard.name = name;
          S.onboard.idNumber = idNumber;
          if (S.me) S.me.kyc_level = Math.max(S.me.kyc_level, r.kyc_level || 1);
          $('id-name').disabled = true;
          $('id-number').disabled = true;
          const v = $('id-verified');
          v.textContent = t('open.verified', { date: r.birth_date || '' });
          v.hidden = false;
        } catch (err) {
          if (err.code === 'id_number_invalid' || err.code === 'underage') err.input = $('id-number');
          throw err;
        }
      } else if (!S.onboard.name) {
        S.onboard.name = name;
        S.onboard.idNumber = idNumber;
      }
      const file = $('id-photo').files[0];
      if (!file) throw QB.localError('file', $('id-photo'));
      try {
        await api('PUT', '/v1/me/identity/photo', { raw: file, contentType: QB.imageType(file) });
      } catch (err) {
        if (err.code === 'photo_invalid' || err.code === 'unsupported_media_type' || err.code === 'payload_too_large') err.input = $('id-photo');
        throw err;
      }
      QB.announce(t('open.photo_ok'));
      await loadMe();
      showStep(4);
    });

    QB.form('pin-form', async () => {
      const pin = QB.digits6('pin-1');
      if ($('pin-2').value.trim() !== pin) throw QB.localError('pin_mismatch', $('pin-2'));
      try {
        await api('PUT', '/v1/me/pin', { body: { pin } });
      } catch (err) {
        if (err.code === 'pin_incorrect') {
          // A payment password already exists (set earlier): this step is done.
          QB.announce(t('open.pin_was_set'));
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
      QB.announce(t('open.done'));
    });
  }

  // ================================================================ card binding (shared form)
  let cardMode = 'onboard';
  let pendingCard = null;

  function placeCardBox(hostId, mode) {
    cardMode = mode;
    const host = $(hostId);
    if ($('card-box').parentNode !== host) host.append($('card-box'));
  }

  function resetCardBox() {
    pendingCard = null;
    $('card-form').hidden = false;
    $('card-otp-form').hidden = true;
    $('card-otp').value = '';
    QB.showError('card-error', null);
    QB.showError('card-otp-error', null);
  }

  function wireCards() {
    QB.form('card-form', async () => {
      const number = $('card-number').value.replace(/[\s-]/g, '');
      if (!/^\d{13,19}$/.test(number)) throw codeError('card_invalid', $('card-number'));
      const holder = $('card-holder').value.trim();
      if (!holder) throw QB.localError('required', $('card-holder'));
      const idNumber = $('card-id-number').value.trim().toUpperCase();
      if (!/^\d{17}[\dX]$/.test(idNumber)) throw codeError('id_number_invalid', $('card-id-number'));
      const phone = QB.phoneOf('card-phone');
      const body = { card_number: number, holder_name: holder, id_number: idNumber, reserved_phone: phone };
      const expiry = $('card-expiry').value.trim();
      const cvv = $('card-cvv').value.trim();
      if (expiry) body.expiry = expiry;
      if (cvv) body.cvv = cvv;
      try {
        const r = await api('POST', '/v1/me/cards', { body });
        pendingCard = { id: r.card_id, phone };
      } catch (err) {
        if (['card_invalid', 'card_unsupported', 'card_already_bound', 'card_inactive', 'bank_rejected'].includes(err.code)) err.input = $('card-number');
        if (err.code === 'card_holder_mismatch') err.input = $('card-holder');
        throw err;
      }
      $('card-cvv').value = '';
      $('card-form').hidden = true;
      $('card-otp-form').hidden = false;
      $('card-otp-sent').textContent = t('card.code_sent', { phone: phone.slice(0, 3) + '****' + phone.slice(-4) });
      $('card-otp').focus();
    });

    $('card-otp-back').addEventListener('click', () => { resetCardBox(); $('card-number').focus(); });

    QB.form('card-otp-form', async () => {
      const otp = QB.digits6('card-otp', 'otp');
      if (!pendingCard) { resetCardBox(); return; }
      let r;
      try {
        r = await api('POST', '/v1/me/cards/' + encodeURIComponent(pendingCard.id) + '/confirm', { body: { otp } });
      } catch (err) {
        err.input = $('card-otp');
        throw err;
      }
      QB.announce(t('card.bound', { bank: r.bank_name, last4: r.last4 }));
      $('card-number').value = '';
      $('card-expiry').value = '';
      resetCardBox();
      await loadMe();
      if (cardMode === 'onboard') {
        showStep(5);
      } else {
        $('card-host-cards').hidden = true;
        $('cards-add').hidden = false;
        QB.toast(t('card.bound', { bank: r.bank_name, last4: r.last4 }), '', 'ok');
        await loadCardsList();
      }
    });

    $('cards-add').addEventListener('click', () => {
      placeCardBox('card-host-cards', 'cards');
      resetCardBox();
      prefillCard();
      $('card-host-cards').hidden = false;
      $('cards-add').hidden = true;
      $('card-number').focus();
    });

    let unbinding = null;
    $('unbind-cancel').addEventListener('click', () => { $('unbind-form').hidden = true; unbinding = null; });
    QB.form('unbind-form', async () => {
      const pin = QB.digits6('unbind-pin');
      try {
        await api('POST', '/v1/me/cards/' + encodeURIComponent(unbinding.card_id) + '/unbind', { body: { pin } });
      } catch (err) {
        $('unbind-pin').value = '';
        err.input = $('unbind-pin');
        throw err;
      }
      $('unbind-pin').value = '';
      $('unbind-form').hidden = true;
      QB.toast(t('cards.unbound'), '', 'ok');
      await loadMe();
      await loadCardsList();
    });

    S.startUnbind = (card) => {
      unbinding = card;
      $('unbind-what').textContent = t('cards.unbind_what', { bank: card.bank_name, last4: card.last4 });
      QB.showError('unbind-error', null);
      $('unbind-form').hidden = false;
      $('unbind-pin').focus();
    };
  }

  async function fetchCards() {
    const r = await api('GET', '/v1/me/cards');
    S.cards = (r && r.items) || [];
    return S.cards;
  }

  async function loadCardsList() {
    const list = QB.clear('cards-list');
    const cards = await fetchCards();
    $('cards-empty').hidden = cards.length > 0;
    for (const c of cards) {
      const li = el('li', { class: 'list-item', id: 'card-' + c.card_id },
        el('div', { class: 'li-main' },
          el('strong', { text: c.bank_name + ' · ' + t('cards.' + c.card_type) }),
          el('span', { class: 'mono', text: ' **** ' + c.last4 }),
          c.is_default ? el('span', { class: 'pill pill-blue', text: t('cards.default') }) : null,
          c.status !== 'active' ? el('span', { class: 'pill', text: t('status.' + c.status) }) : null),
        el('div', { class: 'li-actions' },
          !c.is_default && c.status === 'active'
            ? el('button', { type: 'button', class: 'btn btn-small', id: 'card-default-' + c.card_id, text: t('cards.set_default'),
              on: { click: async () => {
                try { await api('POST', '/v1/me/cards/' + encodeURIComponent(c.card_id) + '/default'); QB.toast(t('cards.defaulted'), '', 'ok'); await loadCardsList(); } catch (e) { QB.showError('cards-error', e); }
              } } })
            : null,
          el('button', { type: 'button', class: 'btn btn-small btn-danger-text', id: 'card-unbind-' + c.card_id, text: t('cards.unbind'),
            on: { click: () => S.startUnbind(c) } })));
      list.append(li);
    }
  }

  async function enterCards() {
    $('unbind-form').hidden = true;
    $('card-host-cards').hidden = true;
    $('cards-add').hidden = false;
    QB.showError('cards-error', null);
    await loadCardsList();
  }

  // ================================================================ login, recovery, lost phone
  function wireLogin() {
    QB.codeButton('login-send-code', () => QB.phoneOf('login-phone'), 'login', 'login-error');
    QB.form('login-form', async () => {
      const phone = QB.phoneOf('login-phone');
      const password = $('login-password').value;
      if (!password) throw QB.localError('required', $('login-password'));
      const body = { phone, password, device_id: knownDevice(), device_name: deviceName() };
      const otpRow = $('login-otp-row');
      if (!otpRow.hidden) {
        body.otp = QB.digits6('login-otp', 'otp');
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
      S.onboard.step = 0;
      go('#/home');
    });

    QB.codeButton('reset-send-code', () => QB.phoneOf('reset-phone'), 'reset_password', 'reset-error');
    QB.form('reset-form', async () => {
      const phone = QB.phoneOf('reset-phone');
      const otp = QB.digits6('reset-otp', 'otp');
      const idNumber = $('reset-id-number').value.trim().toUpperCase();
      const pw = $('reset-password').value;
      if (pw !== $('reset-password-2').value) throw QB.localError('password_mismatch', $('reset-password-2'));
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
      if (S.me) { link.href = '#/security'; link.setAttribute('data-i18n', 'nav.security'); } else { link.href = '#/login'; link.setAttribute('data-i18n', 'welcome.login'); }
      link.textContent = t(link.getAttribute('data-i18n'));
      QB.announce(t('reset.done'));
      link.focus();
    });

    QB.form('lost-form', async () => {
      const phone = QB.phoneOf('lost-phone');
      const password = $('lost-password').value;
      if (!password) throw QB.localError('required', $('lost-password'));
      await api('POST', '/v1/freeze', { body: { phone, password } });
      $('lost-password').value = '';
      $('lost-form').hidden = true;
      $('lost-done').hidden = false;
      QB.announce(t('lost.done'));
    });
  }

  function enterRecover() {
    $('reset-form').hidden = false;
    $('reset-done').hidden = true;
    if (S.me && !$('reset-phone').value) $('reset-phone').value = normalizePhone(S.me.phone);
  }

  function enterLost() {
    $('lost-form').hidden = false;
    $('lost-done').hidden = true;
  }

  // ================================================================ home
  async function loadBalance() {
    const r = await api('GET', '/v1/me/balance');
    const cny = ((r && r.balances) || []).find((b) => b.currency === 'CNY') || { available: 0, held: 0 };
    S.balance = cny;
    $('home-balance').textContent = money(cny.available);
    $('home-balance').dataset.fen = String(cny.available);
    $('home-held').textContent = money(cny.held);
    return cny;
  }

  async function enterHome() {
    QB.showError('home-error', null);
    await loadMe();
    if (!S.me) { signedOut(); return; }
    const me = S.me;
    $('home-name').textContent = me.masked_name || me.phone;
    $('home-level').textContent = levelText(me.kyc_level);
    $('home-frozen').hidden = me.status !== 'frozen';
    const cont = $('home-continue');
    cont.hidden = me.kyc_level >= 2;
    $('home-continue-text').textContent = t('home.continue', { level: levelText(me.kyc_level) });
    const L = me.limits || {};
    const lim = (v) => (v === null || v === undefined ? t('home.no_limit') : money(v));
    $('home-limits').textContent = t('home.limits', { per: lim(L.per_payment), day: lim(L.per_day), cap: lim(L.balance_cap) });
    await loadBalance();
  }

  // ================================================================ payment code
  async function enterPaycode() {
    let refreshTimer = null;
    let tickTimer = null;
    let alive = true;
    const stop = () => {
      alive = false;
      if (refreshTimer) window.clearTimeout(refreshTimer);
      if (tickTimer) window.clearInterval(tickTimer);
    };
    S.leave = stop;
    async function load() {
      if (!alive) return;
      if (refreshTimer) window.clearTimeout(refreshTimer);
      if (tickTimer) window.clearInterval(tickTimer);
      QB.showError('paycode-error', null);
      try {
        const r = await api('GET', '/v1/me/payment-code');
        if (!alive) return;
        QB.qrImg($('paycode-qr'), r.qr_svg, t('paycode.alt'));
        $('paycode-digits').textContent = QB.groupDigits(r.code, 4);
        $('paycode-digits').dataset.code = r.code;
        const expires = new Date(r.expires_at).getTime();
        const refreshAt = Math.max(5000, expires - Date.now() - 10000);
        refreshTimer = window.setTimeout(load, refreshAt);
        const due = Date.now() + refreshAt;
        const show = () => { $('paycode-expires').textContent = t('paycode.expires', { n: Math.max(0, Math.ceil((due - Date.now()) / 1000)) }); };
        show();
        tickTimer = window.setInterval(show, 1000);
      } catch (err) {
        $('paycode-qr').hidden = true;
        $('paycode-digits').textContent = '';
        $('paycode-expires').textContent = '';
        QB.showError('paycode-error', err);
      }
    }
    S.reloadPaycode = load;
    await load();
  }

  // ================================================================ receive
  async function showReceive(amount) {
    const r = await api('GET', '/v1/me/receive-code', { query: { amount } });
    QB.qrImg($('receive-qr'), r.qr_svg, t('receive.alt'));
    $('receive-payload').textContent = r.payload;
    const shown = $('receive-amount-shown');
    shown.hidden = !amount;
    shown.textContent = amount ? money(amount) : '';
  }

  async function enterReceive() {
    QB.showError('receive-error', null);
    await showReceive(undefined);
  }

  // ================================================================ scan to pay
  const pay = { payload: '', kind: '', fixed: null, idem: new QB.Idem() };

  function parsePayload(text) {
    const m = /^qianbao:\/\/([rmo])\/([0-9a-z-]{1,64})(?:\?amount=(\d{1,15}))?$/.exec(String(text || '').trim());
    if (!m) return null;
    if (m[3] !== undefined && m[1] !== 'r') return null;
    const amount = m[3] !== undefined ? parseInt(m[3], 10) : null;
    if (amount !== null && !(amount > 0)) return null;
    return { kind: m[1], id: m[2], amount };
  }

  function scanStage(n) {
    for (let i = 1; i <= 3; i++) $('scan-stage-' + i).hidden = i !== n;
  }

  function enterScan() {
    scanStage(1);
    $('pay-file').value = '';
    $('pay-decode-status').textContent = '';
    QB.showError('pay-error-1', null);
    QB.showError('pay-error', null);
    const q = location.hash.split('?')[1];
    if (q && q.startsWith('payload=')) {
      const p = decodeURIComponent(q.slice(8));
      $('pay-payload').value = p;
    }
  }

  async function toConfirm(text) {
    const p = parsePayload(text);
    if (!p) throw codeError('payload_invalid', $('pay-payload'));
    pay.payload = text.trim();
    pay.kind = p.kind;
    pay.fixed = p.amount;
    pay.idem.reset();
    $('pay-kind').textContent = t('scan.kind.' + p.kind);
    // The server says who is paid and how much before the password is asked for; an order's
    // amount comes from the shop, never from the picture.
    let seen;
    try {
      seen = await api('GET', '/v1/pay/preview', { query: { payload: pay.payload } });
    } catch (err) {
      if (err.code === 'payload_invalid') err.input = $('pay-payload');
      throw err;
    }
    const payee = $('pay-payee');
    payee.textContent = p.kind === 'r' ? seen.payee_name
      : t(p.kind === 'm' ? 'scan.shop' : 'scan.order', { id: seen.payee_name });
    if (seen.description) payee.textContent += ' · ' + seen.description;
    pay.fixed = seen.amount;
    const fixed = $('pay-amount-fixed');
    const row = $('pay-amount-row');
    if (seen.amount) {
      fixed.hidden = false; fixed.textContent = money(seen.amount, seen.currency); fixed.classList.remove('muted'); row.hidden = true;
    } else {
      fixed.hidden = true; row.hidden = false;
    }
    $('pay-amount').value = '';
    $('pay-pin').value = '';
    QB.showError('pay-error', null);
    scanStage(2);
    (row.hidden ? $('pay-pin') : $('pay-amount')).focus();
  }

  function wireScan() {
    $('pay-file').addEventListener('change', async () => {
      const file = $('pay-file').files[0];
      if (!file) return;
      const status = $('pay-decode-status');
      QB.showError('pay-error-1', null);
      status.textContent = t('scan.decoding');
      try {
        const r = await api('POST', '/v1/qr/decode', { raw: file, contentType: QB.imageType(file) });
        status.textContent = '';
        $('pay-payload').value = r.payload;
        await toConfirm(r.payload);
      } catch (err) {
        status.textContent = '';
        QB.showError('pay-error-1', err);
        QB.announce(QB.errorText(err));
      } finally {
        $('pay-file').value = '';
      }
    });

    QB.form('pay-form-1', async () => {
      const text = $('pay-payload').value.trim();
      if (!text) throw QB.localError('required', $('pay-payload'));
      await toConfirm(text);
    });

    $('pay-cancel').addEventListener('click', () => { scanStage(1); $('pay-payload').focus(); });

    QB.form('pay-form', async () => {
      const body = { payload: pay.payload };
      if (!$('pay-amount-row').hidden) body.amount = QB.amountOf('pay-amount');
      body.pin = QB.digits6('pay-pin');
      let r;
      try {
        r = await api('POST', '/v1/pay', { body, idem: pay.idem.get() });
        pay.idem.settle(null);
      } catch (err) {
        pay.idem.settle(err);
        if (['pin_incorrect', 'pin_invalid', 'pin_locked'].includes(err.code)) { $('pay-pin').value = ''; err.input = $('pay-pin'); }
        if (err.code === 'amount_invalid' && !$('pay-amount-row').hidden) err.input = $('pay-amount');
        throw err;
      }
      $('pay-pin').value = '';
      $('pay-result').textContent = r.status === 'held_for_review' ? t('scan.held') : t('scan.paid');
      $('pay-result-amount').textContent = money(r.amount, r.currency);
      $('pay-result-payee').textContent = t('scan.paid_to', { payee: r.payee || $('pay-payee').textContent });
      $('pay-result').dataset.paymentId = r.payment_id || '';
      scanStage(3);
      QB.announce(t('scan.paid') + ' ' + money(r.amount, r.currency));
      $('pay-done').focus();
    });
  }

  // ================================================================ transfer
  const transfer = { phone: '', name: '', idem: new QB.Idem() };

  function enterTransfer() {
    $('transfer-form').hidden = true;
    $('transfer-result').hidden = true;
    $('transfer-form-1').hidden = false;
    QB.showError('transfer-error-1', null);
    QB.showError('transfer-error', null);
  }

  function wireTransfer() {
    QB.form('transfer-form-1', async () => {
      const phone = QB.phoneOf('transfer-phone');
      let who;
      try {
        who = await api('GET', '/v1/payees', { query: { phone } });
      } catch (err) {
        err.input = $('transfer-phone');
        throw err;
      }
      transfer.phone = phone;
      transfer.name = who.masked_name;
      transfer.idem.reset();
      $('transfer-payee').textContent = who.masked_name + ' (' + phone.replace(/^(\+?86)?(\d{3})\d{4}(\d{4})$/, '$2****$3') + ')';
      $('transfer-form').hidden = false;
      $('transfer-result').hidden = true;
      $('transfer-amount').focus();
    });
    $('transfer-phone').addEventListener('input', () => { $('transfer-form').hidden = true; });

    QB.form('transfer-form', async () => {
      const amount = QB.amountOf('transfer-amount');
      const pin = QB.digits6('transfer-pin');
      const body = { to_phone: transfer.phone, amount, pin };
      const memo = $('transfer-memo').value.trim();
      if (memo) body.memo = memo;
      const delay = $('transfer-delay').value;
      if (delay) body.delay = delay;
      let r;
      try {
        r = await api('POST', '/v1/transfers', { body, idem: transfer.idem.get() });
        transfer.idem.settle(null);
      } catch (err) {
        transfer.idem.settle(err);
        if (['pin_incorrect', 'pin_invalid', 'pin_locked'].includes(err.code)) { $('transfer-pin').value = ''; err.input = $('transfer-pin'); }
        if (['insufficient_balance', 'limit_exceeded', 'amount_invalid'].includes(err.code)) err.input = $('transfer-amount');
        throw err;
      }
      $('transfer-pin').value = '';
      $('transfer-amount').value = '';
      $('transfer-memo').value = '';
      const res = $('transfer-result');
      res.textContent = t(r.status === 'scheduled' ? 'transfer.scheduled' : 'transfer.done', { amount: money(r.amount, r.currency), name: transfer.name });
      res.hidden = false;
      $('transfer-form').hidden = true;
      QB.announce(res.textContent);
    });
  }

  // ================================================================ top-up and withdrawal
  function moneyFlow(kind) {
    const st = { quoted: null, idem: new QB.Idem() };
    const id = (x) => kind + '-' + x;
    const reset = () => {
      st.quoted = null;
      $(id('quote')).hidden = true;
      $(id('pin-row')).hidden = true;
      $(id('pin')).value = '';
      const b = $(id('submit'));
      b.setAttribute('data-i18n', 'quote.show_fee');
      b.textContent = t('quote.show_fee');
    };
    $(id('amount')).addEventListener('input', reset);
    $(id('card')).addEventListener('change', reset);
    QB.form(id('form'), async () => {
      const cardId = $(id('card')).value;
      if (!cardId) throw QB.localError('required', $(id('card')));
      const amount = QB.amountOf(id('amount'));
      if (!st.quoted || st.quoted.amount !== amount || st.quoted.card !== cardId) {
        const q = kind === 'topup'
          ? await api('GET', '/v1/me/topups/quote', { query: { card_id: cardId, amount } })
          : await api('GET', '/v1/me/withdrawals/quote', { query: { amount } });
        st.quoted = { amount, card: cardId, fee: q.fee, total: q.total };
        st.idem.reset();
        $(id('quote-amount')).textContent = money(q.amount);
        $(id('fee')).textContent = money(q.fee);
        $(id('total')).textContent = money(q.total);
        $(id('quote')).hidden = false;
        $(id('pin-row')).hidden = false;
        const b = $(id('submit'));
        b.setAttribute('data-i18n', kind + '.confirm');
        b.textContent = t(kind + '.confirm');
        QB.announce(t('quote.fee') + ' ' + money(q.fee));
        $(id('pin')).focus();
        return;
      }
      const pin = QB.digits6(id('pin'));
      let r;
      try {
        r = await api('POST', kind === 'topup' ? '/v1/me/topups' : '/v1/me/withdrawals', {
          body: { card_id: cardId, amount, pin }, idem: st.idem.get(),
        });
        st.idem.settle(null);
      } catch (err) {
        st.idem.settle(err);
        if (['pin_incorrect', 'pin_invalid', 'pin_locked'].includes(err.code)) { $(id('pin')).value = ''; err.input = $(id('pin')); }
        throw err;
      }
      const res = $(id('result'));
      const done = r.status === 'succeeded';
      res.textContent = t(kind + (done ? '.done' : '.pending'), { amount: money(r.amount, r.currency), fee: money(r.fee, r.currency) });
      res.hidden = false;
      $(id('amount')).value = '';
      reset();
      QB.announce(res.textContent);
      if (kind === 'withdraw') loadBalance().then((b) => { $('withdraw-available').textContent = money(b.available); }).catch(() => {});
    });
    return async function enter() {
      reset();
      $(id('result')).hidden = true;
      QB.showError(id('error'), null);
      const cards = (await fetchCards()).filter((c) => c.status === 'active');
      const sel = QB.clear(id('card'));
      for (const c of cards) {
        sel.append(el('option', { value: c.card_id, text: c.bank_name + ' (' + t('cards.' + c.card_type) + ') **** ' + c.last4, selected: c.is_default }));
      }
      $(id('nocard')).hidden = cards.length > 0;
      $(id('form')).hidden = cards.length === 0;
      if (kind === 'withdraw') {
        const b = await loadBalance();
        $('withdraw-available').textContent = money(b.available);
      }
    };
  }

  // ================================================================ records and summary
  const rec = { cursor: null, filters: {} };

  function csvHref(filters) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
    const s = q.toString();
    return '/v1/me/transactions.csv' + (s ? '?' + s : '');
  }

  function recordItem(x) {
    const sign = x.direction === 'in' ? '+' : '−';
    const typeLabel = t('type.' + x.type) !== 'type.' + x.type ? t('type.' + x.type) : x.type;
    return el('li', { class: 'list-item record', id: 'rec-' + x.id, dataset: { type: x.type, direction: x.direction } },
      el('div', { class: 'li-main' },
        el('strong', { text: typeLabel + (x.counterparty ? ' · ' + x.counterparty : '') }),
        el('span', { class: 'muted small block', text: QB.dateTime(x.created_at) + (x.memo ? ' · ' + x.memo : '') + (x.fee ? ' · ' + t('quote.fee') + ' ' + money(x.fee, x.currency) : '') })),
      el('div', { class: 'li-amount' },
        el('span', { class: 'amount ' + (x.direction === 'in' ? 'amount-in' : 'amount-out'), text: sign + money(x.amount, x.currency) }),
        x.status !== 'succeeded' ? el('span', { class: 'pill', text: t('status.' + x.status) }) : null));
  }

  async function loadRecords(more) {
    if (!more) { rec.cursor = null; QB.clear('records-list'); }
    QB.showError('records-error', null);
    const r = await api('GET', '/v1/me/transactions', { query: Object.assign({ limit: 20, cursor: more ? rec.cursor : undefined }, rec.filters) });
    const list = $('records-list');
    for (const x of r.items || []) list.append(recordItem(x));
    rec.cursor = r.next_cursor || null;
    $('records-more').hidden = !rec.cursor;
    $('records-empty').hidden = list.children.length > 0;
  }

  function drawSummary(s) {
    $('summary-in').textContent = money(s.total_in);
    $('summary-out').textContent = money(s.total_out);
    const box = QB.clear('summary-chart');
    const cats = s.categories || [];
    if (!cats.length) { box.append(el('p', { class: 'muted center', text: t('summary.none') })); return; }
    const max = Math.max(1, ...cats.map((c) => c.total));
    const rowH = 30;
    const W = 320;
    const labelW = 96;
    const valueW = 92;
    const barMax = W - labelW - valueW - 8;
    const svg = QB.svg('svg', { viewBox: '0 0 ' + W + ' ' + (cats.length * rowH + 4), width: '100%', class: 'bars', 'aria-hidden': 'true', focusable: 'false' });
    cats.forEach((c, i) => {
      const y = i * rowH + 4;
      const w = Math.max(2, Math.round((c.total / max) * barMax));
      const typeLabel = t('type.' + c.type) !== 'type.' + c.type ? t('type.' + c.type) : c.type;
      svg.append(QB.svg('text', { x: 0, y: y + 17, class: 'bar-label' }, typeLabel + ' · ' + t('dir.' + c.direction)));
      svg.append(QB.svg('rect', { x: labelW, y: y + 4, width: w, height: 18, rx: 4, class: c.direction === 'in' ? 'bar-in' : 'bar-out' }));
      svg.append(QB.svg('text', { x: labelW + w + 6, y: y + 17, class: 'bar-value' }, money(c.total)));
    });
    box.append(svg);
    // The same numbers as text, for screen readers.
    const table = el('ul', { class: 'sr-only' });
    cats.forEach((c) => table.append(el('li', { text: t('type.' + c.type) + ' ' + t('dir.' + c.direction) + ' ' + money(c.total) + ' (' + c.count + ')' })));
    box.append(table);
  }

  async function loadSummary() {
    QB.showError('summary-error', null);
    const month = $('summary-month').value || QB.chinaDay().slice(0, 7);
    const s = await api('GET', '/v1/me/summary', { query: { month } });
    drawSummary(s);
  }

  async function enterRecords() {
    if (!$('summary-month').value) $('summary-month').value = QB.chinaDay().slice(0, 7);
    $('records-csv').href = csvHref(rec.filters);
    await Promise.all([
      loadSummary().catch((e) => QB.showError('summary-error', e)),
      loadRecords(false).catch((e) => QB.showError('records-error', e)),
    ]);
  }

  function wireRecords() {
    QB.form('rec-form', async () => {
      rec.filters = { type: $('rec-type').value || undefined, from: $('rec-from').value || undefined, to: $('rec-to').value || undefined };
      $('records-csv').href = csvHref(rec.filters);
      await loadRecords(false);
    }, { errorBox: 'records-error' });
    QB.form('summary-form', loadSummary);
    $('records-more').addEventListener('click', () => loadRecords(true).catch((e) => QB.showError('records-error', e)));
  }

  // ================================================================ security
  async function loadSessions() {
    const r = await api('GET', '/v1/me/sessions');
    const list = QB.clear('sessions-list');
    for (const s of r.items || []) {
      list.append(el('li', { class: 'list-item', id: 'session-' + s.id },
        el('div', { class: 'li-main' },
          el('strong', { text: s.device_name || '—' }),
          s.current ? el('span', { class: 'pill pill-blue', text: t('sec.this_device') }) : null,
          el('span', { class: 'muted small block', text: t('sec.session_meta', { created: QB.dateTime(s.created_at), seen: QB.dateTime(s.last_seen_at) }) })),
        el('div', { class: 'li-actions' },
          el('button', { type: 'button', class: 'btn btn-small', id: 'session-logout-' + s.id, text: t('sec.session_out'),
            on: { click: async () => {
              try {
                if (s.current) { await logout(); return; }
                await api('DELETE', '/v1/me/sessions/' + encodeURIComponent(s.id));
                QB.toast(t('sec.session_ended'), '', 'ok');
                await loadSessions();
              } catch (e) { QB.showError('sec-error', e); }
            } } }))));
    }
  }

  async function logout() {
    try { await api('DELETE', '/web/session'); } catch (e) { if (e.code !== 'unauthorized') throw e; }
    QB.toast(t('sec.logged_out'), '', 'ok');
    signedOut();
  }

  async function enterSecurity() {
    await loadMe();
    if (!S.me) { signedOut(); return; }
    const me = S.me;
    $('sec-status').textContent = t('sec.status_line', { status: t('status.' + me.status), level: levelText(me.kyc_level), phone: me.phone });
    $('sec-status').dataset.status = me.status;
    $('unfreeze-card').hidden = me.status !== 'frozen';
    $('freeze-card').hidden = me.status === 'frozen';
    $('freeze-ask').hidden = true;
    $('freeze-submit').hidden = false;
    ['pinchg-done', 'pinreset-done'].forEach((x) => { $(x).hidden = true; });
    await loadSessions();
    if (location.hash.includes('?pinreset')) {
      $('pinreset-card').scrollIntoView();
      $('pinreset-otp').focus();
    }
  }

  function wireSecurity() {
    $('logout').addEventListener('click', () => logout().catch((e) => QB.showError('sec-error', e)));

    QB.form('pinchg-form', async () => {
      const old = QB.digits6('pinchg-old');
      const pin = QB.digits6('pinchg-new');
      if ($('pinchg-new2').value.trim() !== pin) throw QB.localError('pin_mismatch', $('pinchg-new2'));
      try {
        await api('PUT', '/v1/me/pin', { body: { pin, old_pin: old } });
      } catch (err) {
        if (['pin_incorrect', 'pin_locked'].includes(err.code)) { $('pinchg-old').value = ''; err.input = $('pinchg-old'); }
        if (['pin_weak', 'pin_invalid'].includes(err.code)) err.input = $('pinchg-new');
        throw err;
      }
      ['pinchg-old', 'pinchg-new', 'pinchg-new2'].forEach((x) => { $(x).value = ''; });
      $('pinchg-done').hidden = false;
      QB.announce(t('sec.pin_changed'));
    });

    QB.codeButton('pinreset-send-code', () => S.me.phone, 'reset_pin', 'pinreset-error');
    QB.form('pinreset-form', async () => {
      const otp = QB.digits6('pinreset-otp', 'otp');
      const idNumber = $('pinreset-id-number').value.trim().toUpperCase();
      if (!idNumber) throw QB.localError('required', $('pinreset-id-number'));
      const card = $('pinreset-card-number').value.replace(/[\s-]/g, '');
      if (!card) throw QB.localError('required', $('pinreset-card-number'));
      const pin = QB.digits6('pinreset-pin');
      if ($('pinreset-pin2').value.trim() !== pin) throw QB.localError('pin_mismatch', $('pinreset-pin2'));
      try {
        await api('POST', '/v1/me/pin/reset', { body: { otp, id_number: idNumber, card_number: card, pin } });
      } catch (err) {
        if (err.code === 'otp_invalid' || err.code === 'otp_expired') err.input = $('pinreset-otp');
        if (err.code === 'identity_mismatch') err.input = $('pinreset-id-number');
        if (['pin_weak', 'pin_invalid'].includes(err.code)) err.input = $('pinreset-pin');
        throw err;
      }
      ['pinreset-otp', 'pinreset-pin', 'pinreset-pin2', 'pinreset-card-number'].forEach((x) => { $(x).value = ''; });
      $('pinreset-done').hidden = false;
      QB.announce(t('sec.pin_reset_done'));
    });

    $('freeze-submit').addEventListener('click', () => {
      $('freeze-ask').hidden = false;
      $('freeze-submit').hidden = true;
      $('freeze-confirm').focus();
    });
    $('freeze-cancel').addEventListener('click', () => {
      $('freeze-ask').hidden = true;
      $('freeze-submit').hidden = false;
      $('freeze-submit').focus();
    });
    QB.form('freeze-form', async () => {
      await api('POST', '/v1/me/freeze', { body: {} });
      QB.toast(t('sec.frozen'), '', 'warn');
      await enterSecurity();
    });

    QB.codeButton('unfreeze-send-code', () => S.me.phone, 'unfreeze', 'unfreeze-error');
    QB.form('unfreeze-form', async () => {
      const otp = QB.digits6('unfreeze-otp', 'otp');
      const idNumber = $('unfreeze-id-number').value.trim().toUpperCase();
      if (!idNumber) throw QB.localError('required', $('unfreeze-id-number'));
      const password = $('unfreeze-password').value;
      if (!password) throw QB.localError('required', $('unfreeze-password'));
      try {
        await api('POST', '/v1/me/unfreeze', { body: { otp, id_number: idNumber, password } });
      } catch (err) {
        if (err.code === 'otp_invalid' || err.code === 'otp_expired') err.input = $('unfreeze-otp');
        if (err.code === 'identity_mismatch') err.input = $('unfreeze-id-number');
        if (err.code === 'invalid_credentials') err.input = $('unfreeze-password');
        throw err;
      }
      ['unfreeze-otp', 'unfreeze-password'].forEach((x) => { $(x).value = ''; });
      QB.toast(t('sec.unfrozen'), '', 'ok');
      await enterSecurity();
    });
  }

  // ================================================================ notifications
  const notices = { cursor: null };

  function seenKey() { return 'qb_seen_' + (S.me ? S.me.wallet_id : ''); }
  function lastSeen() { try { return parseInt(localStorage.getItem(seenKey()) || '0', 10) || 0; } catch (_) { return 0; } }
  function markSeen(id) { try { if (id > lastSeen()) localStorage.setItem(seenKey(), String(id)); } catch (_) { /* off */ } }

  function setBadge(n) {
    S.unread = n;
    for (const id of ['notice-badge', 'nav-notices-count']) {
      const b = $(id);
      b.textContent = n > 99 ? '99+' : String(n);
      b.hidden = n <= 0;
    }
    $('nav-notices-top').setAttribute('aria-label', t('nav.notices') + (n > 0 ? ' (' + n + ')' : ''));
  }

  async function refreshBadge() {
    if (!S.me) return;
    try {
      const r = await api('GET', '/v1/me/notifications', { query: { limit: 50 } });
      const seen = lastSeen();
      setBadge((r.items || []).filter((n) => n.id > seen).length);
    } catch (_) { /* a badge is not worth an error */ }
  }

  // An alert in the page's language; older alerts were kept in Chinese only.
  function noticeText(n) {
    const en = QB.lang === 'en' && n.title_en;
    return { title: en ? n.title_en : n.title, body: en ? n.body_en : n.body };
  }

  function noticeItem(n) {
    const shown = noticeText(n);
    return el('li', { class: 'list-item notice', id: 'notice-' + n.id, dataset: { kind: n.kind } },
      el('div', { class: 'li-main' },
        el('strong', { text: shown.title }),
        el('span', { class: 'block', text: shown.body }),
        el('span', { class: 'muted small block', text: QB.dateTime(n.created_at) })));
  }

  async function loadNotices(more) {
    if (!more) { notices.cursor = null; QB.clear('notices-list'); }
    const r = await api('GET', '/v1/me/notifications', { query: { cursor: more ? notices.cursor : undefined } });
    const list = $('notices-list');
    for (const n of r.items || []) list.append(noticeItem(n));
    notices.cursor = r.next_cursor || null;
    $('notices-more').hidden = !notices.cursor;
    $('notices-empty').hidden = list.children.length > 0;
    if (!more && r.items && r.items.length) markSeen(r.items[0].id);
    setBadge(0);
  }

  function startStream() {
    if (S.es || !S.me || typeof EventSource === 'undefined') return;
    const es = new EventSource('/v1/me/notifications/stream');
    S.es = es;
    es.addEventListener('notification', (ev) => {
      let n;
      try { n = JSON.parse(ev.data); } catch (_) { return; }
      const shown = noticeText(n);
      QB.toast(shown.title || t('notices.new'), shown.body || '', 'info');
      if (S.screen === 'notices') {
        const list = $('notices-list');
        if (!$('notice-' + n.id)) list.prepend(noticeItem(n));
        $('notices-empty').hidden = true;
        markSeen(n.id);
      } else if (n.id > lastSeen()) {
        setBadge((S.unread || 0) + 1);
      }
      if (S.screen === 'home') loadBalance().catch(() => {});
      if (S.screen === 'records') { loadRecords(false).catch(() => {}); loadSummary().catch(() => {}); }
    });
    es.addEventListener('error', () => {
      // EventSource reconnects by itself (with Last-Event-ID); if the session is gone, stop.
      if (es.readyState === EventSource.CLOSED) {
        S.es = null;
        window.setTimeout(() => { if (S.me) loadMe().then((me) => { if (me) startStream(); }); }, 5000);
      }
    });
  }

  function stopStream() {
    if (S.es) { S.es.close(); S.es = null; }
  }

  // ================================================================ open a shop
  function enterShop() {
    $('shop-form').hidden = false;
    $('shop-result').hidden = true;
    QB.showError('shop-error', null);
  }

  function wireShop() {
    QB.form('shop-form', async () => {
      const name = $('shop-name').value.trim();
      if (!name) throw QB.localError('required', $('shop-name'));
      const r = await api('POST', '/v1/merchants', { body: { name, category: $('shop-category').value } });
      $('shop-key').textContent = r.api_key;
      $('shop-static').textContent = r.static_qr_payload;
      $('shop-form').hidden = true;
      $('shop-result').hidden = false;
      QB.announce(t('shop.done'));
      $('shop-copy').focus();
    });
    $('shop-copy').addEventListener('click', async () => {
      const key = $('shop-key').textContent;
      try {
        await navigator.clipboard.writeText(key);
      } catch (_) {
        const range = document.createRange();
        range.selectNodeContents($('shop-key'));
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        try { document.execCommand('copy'); } catch (__) { /* selected at least */ }
      }
      QB.toast(t('shop.copied'), '', 'ok');
    });
  }

  // ================================================================ sandbox developer panel
  function devPanel() {
    const panel = $('sms-panel');
    panel.hidden = false;
    let last = '';
    async function poll() {
      const phones = new Set();
      if (S.me) phones.add(normalizePhone(S.me.phone));
      for (const id of ['signup-phone', 'login-phone', 'reset-phone', 'card-phone', 'lost-phone']) {
        const p = normalizePhone($(id).value);
        if (p) phones.add(p);
      }
      phones.delete('');
      $('sms-phones').textContent = Array.from(phones).join(', ') || '—';
      if (!phones.size || !panel.open) return;
      const all = [];
      await Promise.all(Array.from(phones).map(async (phone) => {
        try {
          const r = await api('GET', '/v1/sandbox/sms', { query: { phone } });
          for (const m of (r && r.items) || []) all.push(m);
        } catch (_) { /* ignore */ }
      }));
      all.sort((a, b) => (a.sent_at < b.sent_at ? 1 : a.sent_at > b.sent_at ? -1 : 0));
      const top = all.slice(0, 8);
      const sig = JSON.stringify(top) + QB.lang;
      if (sig === last) return;
      last = sig;
      const list = QB.clear('sms-list');
      top.forEach((m, i) => {
        list.append(el('li', { class: 'sms', id: 'sms-' + i, dataset: { code: m.code || '' } },
          el('span', { class: 'muted small block', text: m.to + ' · ' + QB.dateTime(m.sent_at) }),
          el('span', { class: 'block', text: m.text }),
          m.code ? el('span', { class: 'sms-code-row' },
            el('code', { class: 'sms-code', text: m.code }),
            el('button', { type: 'button', class: 'btn btn-small', text: t('dev.fill'), on: { click: () => fillCode(m.code) } })) : null));
      });
      $('sms-empty').hidden = top.length > 0;
      const latest = top.find((m) => m.code);
      $('sms-latest-code').textContent = latest ? latest.code : '';
    }
    function fillCode(code) {
      const inputs = Array.from(document.querySelectorAll('input[data-otp]')).filter((i) => i.offsetParent !== null && !i.disabled);
      const target = inputs.find((i) => !i.value) || inputs[0];
      if (target) { target.value = code; target.focus(); target.dispatchEvent(new Event('input', { bubbles: true })); }
    }
    poll();
    window.setInterval(poll, 2000);
    panel.addEventListener('toggle', poll);
  }

  // ================================================================ boot
  const ENTER = {
    open: enterOpen,
    recover: enterRecover,
    lost: enterLost,
    home: enterHome,
    paycode: enterPaycode,
    receive: enterReceive,
    scan: enterScan,
    transfer: enterTransfer,
    records: enterRecords,
    cards: enterCards,
    security: enterSecurity,
    notices: () => loadNotices(false),
    shop: enterShop,
  };

  async function boot() {
    QB.initLang();
    QB.onLang(() => {
      if (S.screen) {
        $('screen-title').textContent = t('title.' + S.screen);
        if (S.screen === 'open' && S.onboard.step) $('open-step-label').textContent = t('open.step_of', { n: S.onboard.step, name: t('open.s' + S.onboard.step) });
        if (['home', 'records', 'cards', 'security', 'notices'].includes(S.screen)) route();
      }
    });
    wireOpen();
    wireCards();
    wireLogin();
    wireScan();
    wireTransfer();
    ENTER.topup = moneyFlow('topup');
    ENTER.withdraw = moneyFlow('withdraw');
    wireRecords();
    wireSecurity();
    wireShop();
    QB.form('receive-form', async () => {
      const v = $('receive-amount').value.trim();
      await showReceive(v ? QB.amountOf('receive-amount') : undefined);
    });
    $('paycode-refresh').addEventListener('click', () => { if (S.reloadPaycode) S.reloadPaycode(); });
    $('notices-more').addEventListener('click', () => loadNotices(true).catch((e) => QB.showError('notices-error', e)));

    try {
      const cfg = await api('GET', '/web/config');
      S.sandbox = !!(cfg && cfg.sandbox);
    } catch (_) { S.sandbox = false; }
    await loadMe();
    if (S.me) { startStream(); refreshBadge(); }
    if (S.sandbox) devPanel();
    window.addEventListener('hashchange', route);
    // A page left behind (even one kept in the back/forward cache) must not keep its live stream:
    // a browser opens at most six connections to a site, and stale streams would use them all.
    window.addEventListener('pagehide', stopStream);
    window.addEventListener('pageshow', (ev) => { if (ev.persisted && S.me) startStream(); });
    await route();
    document.body.dataset.ready = '1';
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
})();
