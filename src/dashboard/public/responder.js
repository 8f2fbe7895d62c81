// A responder's view: responders file evidence and do not read assessments, so instead of the
// weapons page (which needs assessments) they get the report form and their reports.
import { api, listAll, errorMessage } from './api.js';
import { h, clear, announce, table } from './dom.js';
import * as fmt from './format.js';

const STATUSES = ['suspected', 'confirmed', 'contained', 'remediated'];
const TLPS = ['clear', 'green', 'amber', 'amber+strict', 'red'];

export async function responderPage(main, signal) {
  clear(main).append(h('h1', {}, 'File a spread report'),
    h('p', { class: 'muted' }, 'Your key is a responder\u2019s: you file what you see; analysts read the damage assessments built from it.'));
  const weapons = await listAll('/v1/weapons', { signal }).catch(() => []);
  if (signal.aborted) return;
  const result = h('p', { role: 'status', class: 'report-result' });
  const mine = h('div', { class: 'my-reports' });
  const field = (name, label, input) => h('div', { class: 'field' }, h('label', { for: `r-${name}` }, label), input);
  const form = h('form', { class: 'report-form', onsubmit: async (e) => {
    e.preventDefault();
    const d = new FormData(form);
    const body = { weaponId: d.get('weaponId'), entityId: String(d.get('entityId')).trim(), observedAt: new Date(`${d.get('observedAt')}Z`).toISOString(), status: d.get('status'), tlp: d.get('tlp') };
    if (String(d.get('hostsAffected') || '') !== '') body.hostsAffected = Number(d.get('hostsAffected'));
    try {
      const r = await api('/v1/reports', { method: 'POST', body });
      result.className = 'report-result';
      result.textContent = `Filed: report ${r.id} (${r.status}, TLP:${String(r.tlp).toUpperCase()}) for ${r.entityId}.`;
      announce(result.textContent);
      showMine(r.organizationId);
    } catch (err) {
      result.className = 'report-result error';
      result.textContent = `Not filed: ${errorMessage(err)}`;
    }
  } },
  h('fieldset', {}, h('legend', {}, 'What you saw'),
    h('div', { class: 'fields' },
      field('weaponId', 'Weapon', h('select', { id: 'r-weaponId', name: 'weaponId', required: true }, weapons.map((w) => h('option', { value: w.id }, w.name || w.id)))),
      field('entityId', 'Entity id (your organisation or site)', h('input', { id: 'r-entityId', name: 'entityId', required: true, autocomplete: 'off' })),
      field('observedAt', 'Observed at (UTC)', h('input', { id: 'r-observedAt', name: 'observedAt', type: 'datetime-local', required: true, value: new Date().toISOString().slice(0, 16) })),
      field('status', 'Status', h('select', { id: 'r-status', name: 'status' }, STATUSES.map((x) => h('option', { value: x, selected: x === 'confirmed' || undefined }, x)))),
      field('tlp', 'TLP', h('select', { id: 'r-tlp', name: 'tlp' }, TLPS.map((x) => h('option', { value: x, selected: x === 'amber' || undefined }, `TLP:${x.toUpperCase()}`)))),
      field('hostsAffected', 'Hosts affected (optional)', h('input', { id: 'r-hostsAffected', name: 'hostsAffected', type: 'number', min: '0' }))),
    h('button', { type: 'submit' }, 'File report')),
  result);
  const showMine = async (org) => {
    const path = org ? `/v1/reports?organizationId=${encodeURIComponent(org)}&limit=50` : '/v1/reports?limit=50';
    const data = await api(path, { signal }).catch((e) => e);
    if (signal.aborted) return;
    clear(mine).append(h('h2', {}, org ? 'Your organisation\u2019s reports' : 'Reports you may see'));
    if (data instanceof Error) return mine.append(h('p', { class: 'error' }, errorMessage(data)));
    const items = data?.items ?? [];
    mine.append(items.length
      ? table(org ? 'Reports filed by your organisation, newest first' : 'Reports you may see, newest first', [
        { label: 'Observed', value: (r) => fmt.dateTime(r.observedAt) },
        { label: 'Weapon', value: (r) => r.weaponId },
        { label: 'Entity', value: (r) => r.entityId },
        { label: 'Status', value: (r) => r.status },
        { label: 'TLP', value: (r) => `TLP:${String(r.tlp).toUpperCase()}` },
        { label: 'Organisation', value: (r) => r.organizationId },
      ], items, { class: 'report-list' })
      : h('p', { class: 'muted' }, 'No report yet.'));
  };
  main.append(form, mine,
    h('section', { class: 'card' }, h('h2', {}, 'Early warning for your entities'),
      h('p', { class: 'muted' }, 'The early warning is part of an assessment, which analysts read; ask your analyst, or have an admin give your organisation an analyst key.')));
  showMine(null);
}
