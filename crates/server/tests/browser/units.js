/* Unit tests of the pages' pure modules, run inside Chromium by units.rs: the page's own
 * money.js (yuan text ⇄ fen), strings-zh.js / strings-en.js and the console's console-strings.js,
 * app-coupons.js's discount (the server's, to the fen),
 * imported from the server as the pages import them. Not served by the server: WebDriver hands this file to the page with the
 * call `qianbaoUnitTests(location.origin)`, which answers one {name, ok, got, want} per check.
 * (A plain script, so `node --check` reads it; the modules it loads are ES modules.) */

// eslint-disable-next-line no-unused-vars
async function qianbaoUnitTests(base) {
  const money = await import(base + '/assets/money.js');
  const con = await import(base + '/assets/console-strings.js');
  const zh = { ...(await import(base + '/assets/strings-zh.js')), console: con.zh };
  const en = { ...(await import(base + '/assets/strings-en.js')), console: con.en };
  const results = [];
  const check = (name, got, want) => {
    results.push({ name, ok: Object.is(got, want), got: JSON.stringify(got), want: JSON.stringify(want) });
  };

  // ---------------------------------------------------------------- parseYuan: yuan text → fen
  const accepted = [
    ['12.34', 1234],
    ['0.1', 10],
    ['0.05', 5],
    ['0.01', 1],
    ['12.5', 1250],
    ['12', 1200],
    ['12.', 1200],
    ['.5', 50],
    ['007.50', 750],
    ['1,234.5', 123450],
    ['1,234.56', 123456],
    ['¥1,234.56', 123456],
    ['￥5', 500],
    [' 12.5 ', 1250],
    ['1 234', 123400],
    ['１２．３４', 1234], // full-width digits and point
    ['１，２３４．５', 123450], // full-width comma
    ['9999999999999.99', 999999999999999], // the most: 15 digits of fen
  ];
  for (const [text, fen] of accepted) check('parseYuan(' + JSON.stringify(text) + ')', money.parseYuan(text), fen);
  const rejected = [
    '-1', '-0.5', '+5', '1.234', '1,234.567', 'abc', '12abc', '1e3', '12.3.4', '', '   ', '.', '¥',
    '0', '0.00', '.00',
    '10000000000000', // 16 digits of fen
    '99999999999999999999',
    null, undefined,
  ];
  for (const text of rejected) check('parseYuan(' + JSON.stringify(text) + ') is refused', money.parseYuan(text), null);

  // ---------------------------------------------------------------- formatMoney: fen → "¥1,234.56"
  const formatted = [
    [[1234], '¥12.34'],
    [[5], '¥0.05'],
    [[0], '¥0.00'],
    [[100], '¥1.00'],
    [[123456789], '¥1,234,567.89'],
    [[100000], '¥1,000.00'],
    [[-1250], '-¥12.50'],
    [[-5], '-¥0.05'],
    [[-123456789], '-¥1,234,567.89'],
    [['1234'], '¥12.34'],
    [[100, 'CNY'], '¥1.00'],
    [[100, 'USD'], 'USD 1.00'],
    [[null], ''],
    [[undefined], ''],
    [[''], ''],
    [[1.5], '1.5'], // not integer fen: shown as it came
    [[2 ** 53], '9007199254740992'],
  ];
  for (const [args, text] of formatted) {
    check('formatMoney(' + args.map((a) => JSON.stringify(a)).join(', ') + ')', money.formatMoney(...args), text);
  }

  // ---------------------------------------------------------------- formatYuan: fen → "12.34"
  for (const [fen, text] of [[1234, '12.34'], [5, '0.05'], [0, '0.00'], [1250, '12.50'], [123456789, '1234567.89']]) {
    check('formatYuan(' + fen + ')', money.formatYuan(fen), text);
  }

  // ---------------------------------------------------------------- both ways
  for (const fen of [1, 5, 10, 99, 100, 1234, 1250, 100000, 123456789, 999999999999999]) {
    check('parseYuan(formatYuan(' + fen + '))', money.parseYuan(money.formatYuan(fen)), fen);
    check('parseYuan(formatMoney(' + fen + '))', money.parseYuan(money.formatMoney(fen)), fen);
  }

  // ---------------------------------------------------------------- the amount keypad's keys
  const keypad = await import(base + '/assets/amount-keypad.js');
  const presses = [
    ['', '5', '5'],
    ['0', '5', '5'], // no leading zero
    ['', '.', '0.'],
    ['12', '.', '12.'],
    ['12.', '.', '12.'], // one point only
    ['12.3', '4', '12.34'],
    ['12.34', '5', '12.34'], // two decimals at most
    ['12.34', 'del', '12.3'],
    ['', 'del', ''],
    ['999999999999', '9', '999999999999'], // twelve whole digits at most
    ['7', 'x', '7'],
  ];
  for (const [before, key, after] of presses) check('keypadPress(' + JSON.stringify(before) + ', ' + key + ')', keypad.keypadPress(before, key), after);
  // Whatever the keys make is an amount the money parser reads, or nothing yet.
  let typed = '';
  for (const key of ['0', '0', '1', '.', '0', '5', '9']) typed = keypad.keypadPress(typed, key);
  check('keys 0 0 1 . 0 5 9 → fen', money.parseYuan(typed), 105);
  // By the currency's exponent: yen take no point, a three-decimal currency a third decimal.
  check('keypadPress("12", ., 0)', keypad.keypadPress('12', '.', 0), '12');
  check('keypadPress("", ., 0)', keypad.keypadPress('', '.', 0), '');
  check('keypadPress("12", 5, 0)', keypad.keypadPress('12', '5', 0), '125');
  check('keypadPress("1.23", 4, 3)', keypad.keypadPress('1.23', '4', 3), '1.234');
  check('keypadPress("1.234", 5, 3)', keypad.keypadPress('1.234', '5', 3), '1.234');
  check('keypadPress("1.2", 3, 2)', keypad.keypadPress('1.2', '3', 2), '1.23');

  // ---------------------------------------------------------------- rates people read
  const ccy = await import(base + '/assets/currencies.js');
  check('rateText(0.140382401662)', ccy.rateText('0.140382401662').text, '0.140382');
  check('rateText(7.1234).exact', ccy.rateText('7.1234').exact, true);
  // What one unit of the price cost, from the two amounts, by integers: ¥71.58 for US$10.00.
  check('perUnit(7158 fen, 1000 cents)', ccy.perUnit(7158, 2, 1000, 2), '7.158');
  check('perUnit(5788 fen, 1200 yen)', ccy.perUnit(5788, 2, 1200, 0), '0.048233333333');
  check('perUnit(1 fen, 3 cents)', ccy.perUnit(1, 2, 3, 2), '0.333333333333');
  check('perUnit(100 fen, 0)', ccy.perUnit(100, 2, 0, 2), null);
  check('rateText(perUnit(5788, 1200 yen))', ccy.rateText(ccy.perUnit(5788, 2, 1200, 0)).text, '0.0482333');

  // ---------------------------------------------------------------- a phone as others see it
  const common = await import(base + '/assets/common.js');
  check('maskedPhone(+86…)', common.maskedPhone('+8613912345678'), '139****5678');
  check('maskedPhone(11 digits)', common.maskedPhone('13912345678'), '139****5678');
  check('maskedPhone(nothing)', common.maskedPhone(undefined), '');

  // ---------------------------------------------------------------- strings per language
  const placeholders = (s) => Array.from(s.matchAll(/\{(\w+)\}/g), (m) => m[1]).sort().join(',');
  for (const section of ['shared', 'app', 'till', 'console']) {
    const zhKeys = Object.keys(zh[section]);
    const enKeys = Object.keys(en[section]);
    check('strings.' + section + ': English has every Chinese key', zhKeys.filter((k) => !(k in en[section])).join(' '), '');
    check('strings.' + section + ': Chinese has every English key', enKeys.filter((k) => !(k in zh[section])).join(' '), '');
    const empty = zhKeys.filter((k) => !zh[section][k] || (k in en[section] && !en[section][k]));
    check('strings.' + section + ': no empty text', empty.join(' '), '');
    const differ = zhKeys.filter((k) => k in en[section] && placeholders(zh[section][k]) !== placeholders(en[section][k]));
    check('strings.' + section + ': the same {placeholders} in both languages', differ.join(' '), '');
  }
  // Chinese text takes full-width punctuation. Checked for the records screens' strings; the rest
  // of the app follows as its text is reworded (issue 18, item 10).
  const cjk = /[\u4e00-\u9fff]/;
  const halfWidth = Object.entries(zh.app)
    .filter(([k, v]) => /^(records?\.|summary\.|title\.records?$)/.test(k) && cjk.test(v) && /[,;:!?()]/.test(v))
    .map(([k]) => k);
  check('strings.app: the records screens write Chinese with full-width punctuation', halfWidth.join(' '), '');
  // Every key the HTML of a page names has a text in the strings that page registers.
  for (const [page, sections] of [['/', ['shared', 'app']], ['/merchant', ['shared', 'till']], ['/console', ['shared', 'console']]]) {
    const html = await (await fetch(base + page)).text();
    const doc = new DOMParser().parseFromString(html, 'text/html');
    const missing = [];
    for (const attr of ['data-i18n', 'data-i18n-ph', 'data-i18n-al', 'data-i18n-title']) {
      doc.querySelectorAll('[' + attr + ']').forEach((node) => {
        const key = node.getAttribute(attr);
        if (!sections.some((s) => key in zh[s])) missing.push(key);
      });
    }
    check('every text key of ' + page + ' has a string', missing.join(' '), '');
  }
  // ---------------------------------------------------------------- barcode.js: Code 128, set C
  // The published patterns of "123456" in code set C: start C, 12, 34, 56, check 44, stop.
  const barcode = await import(base + '/assets/barcode.js');
  check('code128Symbols("123456")', barcode.code128Symbols('123456').join(' '), '105 12 34 56 44 106');
  check('code128Modules("123456")', barcode.code128Modules('123456'),
    '11010011100' + '10110011100' + '10001011000' + '11100010110' + '10001101110' + '1100011101011');
  // 18 digits: nine pairs; the check weighs each by its position, modulo 103.
  const code = '284785137690847222';
  const pairs = code.match(/../g).map(Number);
  const sum = pairs.reduce((s, v, k) => s + v * (k + 1), 105) % 103;
  check('code128Symbols(18 digits)', barcode.code128Symbols(code).join(' '), ['105', ...pairs, sum, 106].join(' '));
  check('code128Modules(18 digits) is 11 modules a symbol and a 13-module stop', barcode.code128Modules(code).length, 11 * 11 + 13);
  // An odd last digit goes in code set B ('7' is 23 there).
  check('code128Symbols("1234567")', barcode.code128Symbols('1234567').join(' '), '105 12 34 56 100 23 ' + ((105 + 12 + 68 + 168 + 400 + 115) % 103) + ' 106');
  // ---------------------------------------------------------------- app-coupons.js: a coupon's discount
  // As the server's CouponRule::discount (rewards/rule.rs): nothing below the minimum spend, a
  // percentage rounded down to the fen and capped, and the payer always pays at least one fen.
  const coupons = await import(base + '/assets/app-coupons.js');
  const off = { amount_off: 500, min_spend: 3000 };
  const pct = { percent_off: 15, max_off: 2000, min_spend: 100 };
  const cases = [
    [off, 2999, null], [off, 3000, 500], [off, 4000, 500],
    [pct, 99, null], [pct, 100, 15], [pct, 1001, 150], [pct, 1013, 151], [pct, 20000, 2000], [pct, 13333, 1999],
    [{ amount_off: 500, min_spend: 1 }, 300, 299], [{ percent_off: 99, max_off: 100000, min_spend: 1 }, 1, 0],
    [pct, 999999999999999, 2000], [{ percent_off: 99, max_off: 999999999999999, min_spend: 1 }, 999999999999999, 989999999999999],
  ];
  for (const [rule, spend, want] of cases) check('discountOf(' + JSON.stringify(rule) + ', ' + spend + ')', coupons.discountOf(rule, spend), want);
  check('campaignIdOf(a campaign code)', coupons.campaignIdOf(' qianbao://campaign/0190f5a2-7b7c-7d3e-9a4b-1c2d3e4f5a6b '), '0190f5a2-7b7c-7d3e-9a4b-1c2d3e4f5a6b');
  check('campaignIdOf(a red packet code)', coupons.campaignIdOf('qianbao://red-packet/0190f5a2-7b7c-7d3e-9a4b-1c2d3e4f5a6b'), null);
  return results;
}
