/* qianbao web, holder's app — coupons (优惠券). #/coupons: the holder's coupon wallet
 * (GET /v1/me/coupons) grouped usable / used / expired, each with its shop, its rule in words
 * (满 30 减 5, 85 折，最多减 20) and its expiry. #/campaign/<id>: a shop's campaign
 * (GET /v1/campaigns/{id}: shop, rule, window, coupons left) with the 领取 button
 * (POST …/claim), which a shop's campaign link or QR code (qianbao://campaign/<id>) opens.
 *
 * The same screen keeps the holder's gift and membership cards (GET /v1/me/cards-in-wallet):
 * each with its shop, balance, expiry and its number as a Code 128 barcode the shop's till scans
 * (as the payment code is drawn), a form to redeem a card's code (POST /v1/me/gift-cards/redeem)
 * and one to give a card to another phone (POST /v1/me/gift-cards/{id}/give). A card pays at its
 * shop before the balance without anything chosen here: the server takes it first.
 *
 * The pay confirmation (app-scan.js) offers the holder's coupons for the shop through
 * `couponsFor` and `discountOf`: the discount is computed here exactly as the server computes it
 * (crates/wallet/src/rewards/rule.rs), so what the page says is paid is what is paid. */
import { $, announce, clear, el } from './dom.js';
import { api } from './http.js';
import { t, lang } from './i18n.js';
import { showError } from './errors.js';
import { formatMoney } from './money.js';
import { dateTime } from './dates.js';
import { go } from './app-router.js';
import { barcodeSvg } from './barcode.js';

/** The campaign a payload (scanned, or a link) names, or null. */
export function campaignIdOf(text) {
  const m = /^qianbao:\/\/campaign\/([0-9a-f-]{36})$/.exec(String(text || '').trim());
  return m ? m[1] : null;
}

/** The app's route of campaign `id`. */
function campaignHref(id) { return '#/campaign/' + encodeURIComponent(id); }

/** The campaign the location names (#/campaign/<id>). */
function shownId() {
  const m = /^#\/campaign\/([0-9a-f-]{36})$/.exec(location.hash);
  return m ? m[1] : null;
}

/**
 * What a coupon's `rule` takes off `spend` fen, or null below its minimum spend — as the server
 * does: `amount_off`, or the percentage rounded down to the fen and capped at `max_off`; never
 * the whole price (the payer pays at least one fen). Integer fen throughout: spend × percent can
 * pass 2^53 for a 15-digit amount, so the product is taken in BigInt.
 */
export function discountOf(rule, spend) {
  if (!rule || !Number.isSafeInteger(spend) || spend <= 0 || spend < rule.min_spend) return null;
  let off;
  if (rule.amount_off) {
    off = rule.amount_off;
  } else {
    off = Number((BigInt(spend) * BigInt(rule.percent_off)) / 100n);
    off = Math.min(off, rule.max_off);
  }
  return Math.max(0, Math.min(off, spend - 1));
}

/** Fen as the short yuan a rule is said in: 3000 → "30", 550 → "5.5", in the page's style. */
function yuanShort(fen) {
  const text = (fen / 100).toFixed(2).replace(/\.?0+$/, '');
  return lang() === 'zh' ? text : '¥' + text;
}

/** 85 折 for 15 % off, 9 折 for 10 % off: how a Chinese shop says what the price becomes. */
function zhe(percentOff) {
  const n = 100 - percentOff;
  return n % 10 === 0 ? String(n / 10) : String(n);
}

/** A rule in words: 满 30 减 5; 85 折，最多减 20 (with 满 … when the minimum spend says something). */
export function ruleText(rule) {
  if (rule.amount_off) return t('cp.rule.off', { min: yuanShort(rule.min_spend), off: yuanShort(rule.amount_off) });
  // A minimum spend of a fen or a yuan is no condition a person needs to read.
  const key = rule.min_spend > 100 ? 'cp.rule.pct_min' : 'cp.rule.pct';
  // A Chinese shop says what the price becomes (85 折); an English one what comes off (15%).
  const rate = lang() === 'zh' ? zhe(rule.percent_off) : String(rule.percent_off);
  return t(key, { rate, min: yuanShort(rule.min_spend), max: yuanShort(rule.max_off) });
}

/** Whether coupon `c` can still be used at `now` (ms): claimed and its campaign not ended yet
 * (the end timer may not have marked it expired yet). */
function usable(c, now) {
  return c.status === 'claimed' && Date.parse(c.expires_at) > now;
}

/** The holder's coupons usable now at shop `merchantId`. */
export async function couponsFor(merchantId) {
  const r = await api('GET', '/v1/me/coupons');
  const now = Date.now();
  return (r.items || []).filter((c) => c.merchant_id === merchantId && usable(c, now));
}

/** One coupon in the wallet: shop, rule, and when it ends (or ended); links to its campaign. */
function couponItem(c, group) {
  const line = group === 'usable' ? t('cp.until', { date: dateTime(c.expires_at) })
    : group === 'used' ? t('cp.used_line', { date: dateTime(c.expires_at) })
      : t('cp.expired_line', { date: dateTime(c.expires_at) });
  return el('li', { class: 'list-item', id: 'cp-item-' + c.coupon_id, dataset: { status: group } },
    el('a', { href: campaignHref(c.campaign_id), class: 'li-main' },
      el('strong', { text: c.merchant_name }),
      el('span', { class: 'block', text: ruleText(c.rule) }),
      el('span', { class: 'muted small block', text: line })),
    el('span', { class: 'li-amount', text: formatMoney(c.value) }));
}

/** The coupons this screen last drew, to redraw in another language without asking again. */
let shown = null;

/** Draws the wallet: `items` (the API's coupons) grouped usable / used / expired. */
function drawWallet(items) {
  shown = items;
  const now = Date.now();
  const groups = { usable: [], used: [], expired: [] };
  for (const c of items) {
    if (usable(c, now)) groups.usable.push(c);
    else if (c.status === 'used') groups.used.push(c);
    else groups.expired.push(c);
  }
  // The soonest to lapse first: that is the one to use next.
  groups.usable.sort((a, b) => Date.parse(a.expires_at) - Date.parse(b.expires_at));
  for (const [group, list] of Object.entries(groups)) {
    const ul = clear('cp-' + group);
    for (const c of list) ul.append(couponItem(c, group));
    if (group !== 'usable') $('cp-' + group + '-box').hidden = list.length === 0;
  }
  $('cp-none').hidden = groups.usable.length > 0;
}

/** The cards this screen last drew, for a language switch. */
let shownCards = null;

/** One card: its shop and kind, what it holds, until when, and its barcode. */
function cardItem(c) {
  const live = c.status === 'active' && Date.parse(c.expires_at) > Date.now();
  const line = live ? t('gc.until', { date: dateTime(c.expires_at) })
    : t('gc.expired_line', { date: dateTime(c.expires_at) });
  const item = el('li', { class: 'list-item gc-card', id: 'gc-item-' + c.card_id, dataset: { status: live ? 'active' : 'expired' } },
    el('div', { class: 'li-main' },
      el('strong', { text: c.merchant_name }),
      el('span', { class: 'block', text: t('gc.kind.' + c.kind) }),
      el('span', { class: 'muted small block', text: line })),
    el('span', { class: 'li-amount', text: formatMoney(c.balance) }));
  if (live) {
    const bars = el('div', { class: 'barcode' });
    bars.append(barcodeSvg(c.number, t('gc.barcode_alt', { shop: c.merchant_name }), 56));
    item.append(bars, el('span', { class: 'muted small block gc-number', text: c.number }));
  }
  return item;
}

/** Draws the cards, and the give form's choice of the live ones. */
function drawCards(items) {
  shownCards = items;
  const ul = clear('gc-cards');
  for (const c of items) ul.append(cardItem(c));
  $('gc-none').hidden = items.length > 0;
  const live = items.filter((c) => c.status === 'active' && Date.parse(c.expires_at) > Date.now());
  const select = clear('gc-give-card');
  for (const c of live) {
    select.append(el('option', { value: c.card_id, text: c.merchant_name + ' · ' + formatMoney(c.balance) }));
  }
  $('gc-give-form').hidden = live.length === 0;
}

/** Asks for the holder's cards and draws them. */
async function loadCards() {
  const r = await api('GET', '/v1/me/cards-in-wallet');
  drawCards(r.items || []);
}

/** #/coupons: the holder's cards and coupons, asked for afresh each time the screen is shown. */
async function enterWallet() {
  showError('cp-error', null);
  showError('gc-error', null);
  showError('gc-give-error', null);
  $('gc-got').hidden = true;
  $('gc-given').hidden = true;
  const [r] = await Promise.all([api('GET', '/v1/me/coupons'), loadCards()]);
  drawWallet(r.items || []);
}

/** Submits `form` once at a time through `send`, saying the outcome in `okId` or `errorId`. */
function wireForm(form, button, errorId, okId, send) {
  $(form).addEventListener('submit', async (e) => {
    e.preventDefault();
    if ($(button).disabled) return;
    $(button).disabled = true;
    showError(errorId, null);
    $(okId).hidden = true;
    try {
      const said = await send();
      $(okId).textContent = said;
      $(okId).hidden = false;
      announce(said);
      await loadCards();
    } catch (err) {
      showError(errorId, err);
    } finally {
      $(button).disabled = false;
    }
  });
}

/** The campaign last drawn, for a language switch. */
let campaign = null;

/** Draws campaign `c` (the API's view). */
function drawCampaign(c) {
  campaign = c;
  const page = $('cp-page');
  page.dataset.id = c.campaign_id;
  page.dataset.status = c.status;
  $('cp-page-shop').textContent = c.merchant_name;
  $('cp-page-rule').textContent = ruleText(c.rule);
  const now = Date.now();
  const state = c.status !== 'active' || Date.parse(c.ends_at) <= now ? 'ended'
    : Date.parse(c.starts_at) > now ? 'soon' : 'active';
  $('cp-page-state').textContent = t('cp.state.' + state);
  $('cp-page-window').textContent = t('cp.window_line', { from: dateTime(c.starts_at), to: dateTime(c.ends_at) });
  $('cp-page-left').textContent = t('cp.left_line', { n: c.coupons_left });
  $('cp-page-limit').textContent = t('cp.limit_line', { n: c.per_holder })
    + (c.per_day ? t('cp.limit_day', { n: c.per_day }) : '')
    + (c.new_holders_only ? t('cp.new_only') : '');
  // Claiming is the server's to refuse (limits, eligibility, the budget): the button stays while
  // the campaign runs, and its refusal says why.
  $('cp-claim').hidden = state === 'ended';
}

/** Asks for campaign `id` and draws it. */
async function loadCampaign(id) {
  drawCampaign(await api('GET', '/v1/campaigns/' + encodeURIComponent(id)));
}

/** #/campaign/<id>: the campaign the location names; without one, the wallet. */
async function enterCampaign() {
  showError('cp-page-error', null);
  $('cp-page-got').hidden = true;
  const id = shownId();
  if (!id) { go('#/coupons'); return; }
  await loadCampaign(id);
}

/** Wires the claim button once at boot. */
export function wire() {
  wireForm('gc-redeem-form', 'gc-redeem', 'gc-error', 'gc-got', async () => {
    const card = await api('POST', '/v1/me/gift-cards/redeem', { body: { code: $('gc-code').value.trim() } });
    $('gc-code').value = '';
    return t('gc.redeemed', { shop: card.merchant_name, amount: formatMoney(card.balance) });
  });
  wireForm('gc-give-form', 'gc-give', 'gc-give-error', 'gc-given', async () => {
    const id = $('gc-give-card').value;
    await api('POST', '/v1/me/gift-cards/' + encodeURIComponent(id) + '/give',
      { body: { to_phone: $('gc-give-phone').value.trim() } });
    $('gc-give-phone').value = '';
    return t('gc.given');
  });
  $('cp-claim').addEventListener('click', async () => {
    const button = $('cp-claim');
    if (button.disabled) return;
    button.disabled = true;
    showError('cp-page-error', null);
    const id = $('cp-page').dataset.id;
    try {
      await api('POST', '/v1/campaigns/' + encodeURIComponent(id) + '/claim', { body: {} });
      const got = $('cp-page-got');
      got.textContent = t('cp.claimed');
      got.hidden = false;
      announce(got.textContent);
    } catch (err) {
      showError('cp-page-error', err);
    } finally {
      button.disabled = false;
    }
    // Claimed or refused, the page shows how many are left now.
    loadCampaign(id).catch(() => {});
  });
}

export const screens = {
  coupons: {
    enter: enterWallet,
    onLang: () => { if (shown) drawWallet(shown); if (shownCards) drawCards(shownCards); },
  },
  campaign: { enter: enterCampaign, onLang: () => { if (campaign) drawCampaign(campaign); } },
};
