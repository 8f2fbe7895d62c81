// A responder's view: responders file evidence and do not read assessments, so instead of the
// weapons page (which needs assessments) they get the report form and their reports.
import { api, listAll, errorMessage } from './api.js';
import { h, clear, announce, table } from './dom.js';
import * as fmt from './format.js';
import * as model from './model.js';

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
      main.querySelector('section.my-warning')?.reload?.();
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
  main.append(form, mine, myWarning(weapons, signal));
  showMine(null);
}

/**
 * "My entities in the early warning": the weapon's newest finished assessment, cut by the server
 * to the entities of the key's organisation (those its reports name, with their organisation in
 * the graph) that it may see.
 */
function myWarning(weapons, signal) {
  const body = h('div', { class: 'my-warning-body', 'aria-live': 'polite' });
  const weapon = h('select', { id: 'mw-weapon', name: 'weaponId', onchange: () => load() }, weapons.map((w) => h('option', { value: w.id }, w.name || w.id)));
  const hours = h('select', { id: 'mw-hours', name: 'withinHours', onchange: () => load() },
    [24, 72, 168].map((x) => h('option', { value: String(x), selected: x === 72 || undefined }, x === 24 ? '24 hours (1 day)' : `${x} hours (${x / 24} days)`)));
  const load = async () => {
    if (!weapon.value) return clear(body).append(h('p', { class: 'muted' }, 'No weapon is described yet.'));
    body.setAttribute('aria-busy', 'true');
    const data = await api(`/v1/weapons/${encodeURIComponent(weapon.value)}/early-warning/mine?withinHours=${hours.value}&limit=50`, { signal }).catch((e) => e);
    body.removeAttribute('aria-busy');
    if (signal.aborted) return;
    if (data instanceof Error) return clear(body).append(h('p', { class: 'error' }, errorMessage(data)));
    const w = model.earlyWarning(data);
    const attrs = { 'data-weapon': weapon.value, 'data-within-hours': String(data.withinHours), 'data-assessment': data.assessmentId ?? '' };
    if (!data.assessmentId) return clear(body).append(h('p', { class: 'muted', ...attrs }, 'No finished assessment of this weapon yet: ask your analyst to run one.'));
    clear(body).append(
      h('p', { class: 'muted' }, `From the assessment as of ${fmt.dateTime(data.asOf)}${data.stale ? ' (newer reports exist: it may be out of date)' : ''}. Your entities are the ones your organisation's reports name, with the rest of their organisation; entities resting on reports you may not see are left out.`),
      w.items.length
        ? table(`Your organisation's unreported entities most likely to be infected within ${data.withinHours} hours`, [
          { label: 'Entity', value: (x) => x.name },
          { label: 'Where', value: (x) => `${fmt.country(x.country)}, ${fmt.sector(x.sector)}` },
          { label: `Probability (${data.withinHours} h)`, value: (x) => fmt.percent(x.probability), numeric: true },
          { label: 'Most likely path', value: (x) => x.path.join(' \u2192 ') },
        ], w.items, { class: 'my-warning-table', ...attrs })
        : h('p', { class: 'my-warning-none', ...attrs }, `None of your organisation's entities is at risk within ${data.withinHours} hours, or none is known: file a report naming your sites and they count as yours.`));
  };
  const section = h('section', { class: 'card my-warning', 'aria-labelledby': 'mw-title' },
    h('h2', { id: 'mw-title' }, 'Early warning for your entities'),
    h('div', { class: 'warning-controls' },
      h('div', { class: 'field inline' }, h('label', { for: 'mw-weapon' }, 'Weapon'), weapon),
      h('div', { class: 'field inline' }, h('label', { for: 'mw-hours' }, 'Within'), hours)),
    body);
  load();
  section.reload = load;
  return section;
}
