/* qianbao web — refunds on behalf of a merchant: the same refund rules as the merchant's own (never
 * more than the payment less what was refunded); above the operator's threshold the server makes
 * it a four-eyes command instead of running it. */
import { $ } from './dom.js';
import { api, uuid } from './http.js';
import { t } from './i18n.js';
import { amountOf, form } from './common.js';
import { done, money, required } from './console-ui.js';

/** Wires the refund form. */
export function initRefunds() {
  form('refund-form', async () => {
    $('refund-result').hidden = true;
    const payment = required('refund-payment');
    const amount = amountOf('refund-amount');
    const reason = required('refund-reason');
    const answer = await api('POST', '/v1/console/payments/' + encodeURIComponent(payment) + '/refund', { body: { amount, reason }, idem: uuid() });
    const pending = answer && answer.status === 'pending' && answer.action;
    const key = pending ? 'console.refund.pending' : 'console.refund.done';
    $('refund-result').textContent = t(key, { amount: money(amount) });
    $('refund-result').hidden = false;
    done(key, { amount: money(amount) });
  });
}

/** Nothing to load: the form is the section. */
export async function showRefunds() {
  $('refund-payment').focus();
}
