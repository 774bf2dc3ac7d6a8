/* qianbao web — campaigns (营销活动) for a merchant in the console: its campaigns with their budget,
 * what claimed coupons reserve and what was spent; a campaign launched on its behalf, funded from
 * its takings by the same rules as the merchant's own launch; and a running one ended early. Any
 * role that views merchants sees the list; launching and ending need money.manage, and the server
 * checks both again. Amounts stay integer fen throughout. */
import { $, el } from './dom.js';
import { Idem, api } from './http.js';
import { t } from './i18n.js';
import { amountOf, form } from './common.js';
import { dateTime } from './dates.js';
import { localError } from './errors.js';
import { can } from './console-state.js';
import { actionButton, done, money, pill, put, required, table } from './console-ui.js';

/** One key per launch the staff member means: kept while a retry may still be the same one. */
const idem = new Idem();

/** The merchant whose campaigns are shown. */
let merchantId = '';

/** A rule as the page says it: ¥5 off ¥30, or 15 % off up to ¥20. */
function ruleText(r) {
  if (r.points_per_yuan) return t('console.campaign.rule_points', { n: String(r.points_per_yuan) });
  if (r.amount_off !== undefined && r.amount_off !== null) {
    return t('console.campaign.rule_amount', { off: money(r.amount_off), min: money(r.min_spend) });
  }
  return t('console.campaign.rule_percent', { pct: String(r.percent_off), max: money(r.max_off), min: money(r.min_spend) });
}

function endButton(c) {
  if (!can('money', 'manage') || c.status !== 'active') return '';
  return actionButton('console.campaign.end', 'campaign-end-' + c.campaign_id, async () => {
    const reason = required('campaign-end-reason');
    const ended = await api('POST', '/v1/console/campaigns/' + encodeURIComponent(c.campaign_id) + '/end', { body: { reason } });
    done('console.campaign.ended', { amount: money(ended.returned) });
    await load();
  }, 'campaign-list-error', 'danger');
}

function campaignsTable(rows) {
  return table([
    { head: 'console.col.campaign', cell: (c) => el('code', { class: 'hash', text: c.campaign_id }) },
    { head: 'console.col.merchant', cell: (c) => c.merchant_name + ' · ' + c.merchant_id },
    { head: 'console.col.kind', cell: (c) => t('console.campaign.kind.' + c.kind) },
    { head: 'console.campaign.rule', cell: (c) => ruleText(c.rule) },
    { head: 'console.campaign.budget', cell: (c) => money(c.budget), num: true },
    { head: 'console.campaign.reserved', cell: (c) => money(c.reserved), num: true },
    { head: 'console.campaign.spent', cell: (c) => money(c.spent), num: true },
    { head: 'console.col.status', cell: (c) => {
      // A running campaign says so: the shared pill's "active" is a wallet's 正常.
      const p = pill(c.status);
      if (c.status === 'active') p.textContent = t('console.campaign.running');
      return p;
    } },
    { head: 'console.campaign.window', cell: (c) => dateTime(c.starts_at) + ' – ' + dateTime(c.ends_at) },
    { head: 'console.col.decide', cell: endButton },
  ], rows, { id: (c) => c.campaign_id, empty: 'console.campaign.none', tableId: 'campaigns-table' });
}

/** The merchant's campaigns, newest first, and the reason an early end needs. */
async function load() {
  // Without a merchant, every merchant's campaigns.
  const list = await api('GET', '/v1/console/campaigns', { query: merchantId ? { merchant_id: merchantId } : {} });
  const box = put('campaign-list', el('p', { id: 'campaign-list-error', class: 'error', role: 'alert', hidden: true }));
  if (can('money', 'manage') && list.items.some((c) => c.status === 'active')) {
    box.append(el('div', { class: 'console-actions' },
      el('div', { class: 'field' }, el('label', { for: 'campaign-end-reason', text: t('console.campaign.end_reason') }), el('input', { id: 'campaign-end-reason', autocomplete: 'off' }))));
  }
  box.append(campaignsTable(list.items));
}

/** A datetime-local value as RFC 3339 in UTC, or a local error at the field. */
function timeOf(id) {
  const input = $(id);
  const d = new Date(input.value);
  if (!input.value || Number.isNaN(d.getTime())) throw localError('required', input);
  return d.toISOString();
}

/** A whole number of 1 to 100 from an optional field, or nothing when it is empty. */
function countOf(id) {
  const input = $(id);
  const v = (input.value || '').trim();
  if (!v) return undefined;
  if (!/^\d{1,3}$/.test(v) || +v < 1 || +v > 100) throw localError('count', input);
  return +v;
}

/** A datetime-local value for `ms`, in the browser's zone, to the minute. */
function localInput(ms) {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 16);
}

/** Shows the fields of the rule chosen: an amount off, or a percentage with a cap. */
function ruleShown() {
  const rule = $('campaign-rule').value;
  $('campaign-amount-off-field').hidden = rule !== 'amount';
  $('campaign-percent-field').hidden = rule !== 'percent';
  $('campaign-max-off-field').hidden = rule !== 'percent';
  $('campaign-points-field').hidden = rule !== 'points';
  $('campaign-min-spend-field').hidden = rule === 'points';
  // A points campaign has only the points rule, and the points rule only that kind.
  if (rule === 'points') $('campaign-kind').value = 'points';
  else if ($('campaign-kind').value === 'points') $('campaign-kind').value = 'coupon';
}

function ruleOf() {
  if ($('campaign-rule').value === 'points') {
    const input = $('campaign-points-per-yuan');
    const n = (input.value || '').trim();
    if (!/^\d{1,3}$/.test(n) || +n < 1 || +n > 100) throw localError('count', input);
    return { points_per_yuan: +n };
  }
  const min_spend = amountOf('campaign-min-spend');
  if ($('campaign-rule').value === 'percent') {
    const input = $('campaign-percent');
    const pct = (input.value || '').trim();
    if (!/^\d{1,2}$/.test(pct) || +pct < 1) throw localError('percent', input);
    return { percent_off: +pct, max_off: amountOf('campaign-max-off'), min_spend };
  }
  return { amount_off: amountOf('campaign-amount-off'), min_spend };
}

/** Wires the merchant look-up and the launch form. */
export function initCampaigns() {
  $('campaign-rule').addEventListener('change', ruleShown);
  $('campaign-kind').addEventListener('change', () => {
    if ($('campaign-kind').value === 'points') $('campaign-rule').value = 'points';
    else if ($('campaign-rule').value === 'points') $('campaign-rule').value = 'amount';
    ruleShown();
  });
  form('campaign-find-form', async () => {
    merchantId = required('campaign-merchant');
    await load();
  });
  form('campaign-form', async () => {
    $('campaign-result').hidden = true;
    const merchant = required('campaign-merchant');
    const campaign = {
      kind: $('campaign-kind').value,
      budget: amountOf('campaign-budget'),
      starts_at: timeOf('campaign-starts'),
      ends_at: timeOf('campaign-ends'),
      rule: ruleOf(),
      per_holder: countOf('campaign-per-holder'),
      per_day: countOf('campaign-per-day'),
      new_holders_only: $('campaign-new-only').checked,
    };
    const reason = $('campaign-reason').value.trim();
    let answer;
    try {
      answer = await api('POST', '/v1/console/campaigns', { body: { merchant_id: merchant, campaign, reason }, idem: idem.get() });
      idem.settle(null);
    } catch (err) {
      idem.settle(err);
      throw err;
    }
    const vars = { id: answer.campaign_id, amount: money(campaign.budget) };
    $('campaign-result').textContent = t('console.campaign.launched', vars);
    $('campaign-result').hidden = false;
    done('console.campaign.launched', vars);
    merchantId = merchant;
    await load();
  });
}

/** The launch form for staff who manage money, with a window from now for a week. */
export async function showCampaigns() {
  $('campaign-form').hidden = !can('money', 'manage');
  if (!$('campaign-starts').value) $('campaign-starts').value = localInput(Date.now());
  if (!$('campaign-ends').value) $('campaign-ends').value = localInput(Date.now() + 7 * 86400000);
  ruleShown();
  await load();
  $('campaign-merchant').focus();
}
