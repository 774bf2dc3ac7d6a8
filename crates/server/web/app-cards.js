/* qianbao web, holder's app — bank cards (#/cards): the list, make one the default, unbind with
 * the payment password, and add one with the shared card form. */
import { $, clear, el, toast } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { showError } from './errors.js';
import { digits6, form } from './common.js';
import { loadMe } from './app-state.js';
import { route } from './app-router.js';
import { placeCardBox, prefillCard, resetCardBox } from './app-card-form.js';

/** The card the unbind form is asking about. */
let unbinding = null;

/** The holder's cards (GET /v1/me/cards), default first. */
export async function fetchCards() {
  const r = await api('GET', '/v1/me/cards');
  return (r && r.items) || [];
}

function startUnbind(card) {
  unbinding = card;
  $('unbind-what').textContent = t('cards.unbind_what', { bank: card.bank_name, last4: card.last4 });
  showError('unbind-error', null);
  $('unbind-form').hidden = false;
  $('unbind-pin').focus();
}

async function makeDefault(card) {
  try {
    await api('POST', '/v1/me/cards/' + encodeURIComponent(card.card_id) + '/default');
    toast(t('cards.defaulted'), '', 'ok');
    await loadCardsList();
  } catch (e) { showError('cards-error', e); }
}

async function loadCardsList() {
  const list = clear('cards-list');
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
            on: { click: () => makeDefault(c) } })
          : null,
        el('button', { type: 'button', class: 'btn btn-small btn-danger-text', id: 'card-unbind-' + c.card_id, text: t('cards.unbind'),
          on: { click: () => startUnbind(c) } })));
    list.append(li);
  }
}

/** After a card added here is confirmed: close the form and show the list with it. */
async function bound(card) {
  $('card-host-cards').hidden = true;
  $('cards-add').hidden = false;
  toast(t('card.bound', { bank: card.bank_name, last4: card.last4 }), '', 'ok');
  await loadCardsList();
}

export function wire() {
  $('cards-add').addEventListener('click', () => {
    placeCardBox('card-host-cards', bound);
    resetCardBox();
    prefillCard();
    $('card-host-cards').hidden = false;
    $('cards-add').hidden = true;
    $('card-number').focus();
  });

  $('unbind-cancel').addEventListener('click', () => { $('unbind-form').hidden = true; unbinding = null; });
  form('unbind-form', async () => {
    const pin = digits6('unbind-pin');
    try {
      await api('POST', '/v1/me/cards/' + encodeURIComponent(unbinding.card_id) + '/unbind', { body: { pin } });
    } catch (err) {
      $('unbind-pin').value = '';
      err.input = $('unbind-pin');
      throw err;
    }
    $('unbind-pin').value = '';
    $('unbind-form').hidden = true;
    toast(t('cards.unbound'), '', 'ok');
    await loadMe();
    await loadCardsList();
  });
}

export const screens = {
  cards: {
    async enter() {
      $('unbind-form').hidden = true;
      $('card-host-cards').hidden = true;
      $('cards-add').hidden = false;
      showError('cards-error', null);
      await loadCardsList();
    },
    onLang: route,
  },
};
