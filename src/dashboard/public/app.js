// Spillover dashboard: sign-in, weapons and their assessments, one assessment's report.
// Routes live in the URL hash: #/ (weapons), #/assessments/<id> (one assessment).
import { api, listAll, session, errorMessage, ApiError } from './api.js';
import { h, clear, announce, table } from './dom.js';
import * as fmt from './format.js';
import * as model from './model.js';
import { createTreemap, legend } from './charts/treemap.js';
import { createPartition } from './charts/partition.js';
import { createTimeline } from './charts/timeline.js';
import { responderPage } from './responder.js';
import { briefingControls, comparePage, exceedanceSection, markPrint, normComplianceSection } from './decisions.js';

const main = document.getElementById('main');
const account = document.getElementById('account');
let view = new AbortController();

const WARNING_DEFAULT = 72;
const WARNING_ROWS = 15;
const PROTECTED_ROWS = 25;
/** A protected entity hit with at least this probability counts as a known hit (reported, or hit in every run). */
const CERTAIN = 0.995;
/** Known hits named in the sentence above the table. */
const KNOWN_NAMES = 12;

const NORMS = {
  '13(f)': 'UN GGE 2015 norm 13(f): do not intentionally damage critical infrastructure that serves the public',
  '13(k)': 'UN GGE 2015 norm 13(k): do not harm the emergency response teams (CSIRTs) of other states',
};

window.addEventListener('hashchange', route);
window.addEventListener('spillover:unauthenticated', () => {
  session.signOut();
  route('Your key was not accepted (unknown or revoked). Sign in again.');
});
route();

function route(message) {
  view.abort();
  view = new AbortController();
  renderAccount();
  // What a page prints is marked TLP:RED until the assessment's own marking is known (decisions.js
  // markPrint); the sign-in page shows no figures and carries no marking.
  if (!session.key) {
    delete document.documentElement.dataset.tlp;
    return signIn(typeof message === 'string' ? message : '');
  }
  document.documentElement.dataset.tlp = 'red';
  const m = /^#\/assessments\/([^/?#]+)/.exec(location.hash);
  if (m) return assessmentPage(decodeURIComponent(m[1]), view.signal);
  const c = /^#\/weapons\/([^/?#]+)\/compare/.exec(location.hash);
  if (c) return comparePage(main, decodeURIComponent(c[1]), view.signal);
  return homePage(view.signal);
}

function renderAccount() {
  clear(account);
  if (!session.key) return;
  account.append(
    h('a', { href: '#/', class: 'nav-link' }, 'Weapons'),
    h('button', { type: 'button', class: 'secondary', onclick: () => { session.signOut(); location.hash = '#/'; route(); } }, 'Sign out'));
}

function setTitle(text) {
  document.title = text ? `${text} — Spillover` : 'Spillover';
}

function focusHeading() {
  const h1 = main.querySelector('h1');
  if (h1) {
    h1.setAttribute('tabindex', '-1');
    h1.focus({ preventScroll: true });
  }
}

// ---------------------------------------------------------------------------- sign-in

function signIn(message) {
  setTitle('Sign in');
  const error = h('p', { class: 'error', role: 'alert', id: 'signin-error' }, message || '');
  const input = h('input', { id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'api-key-help signin-error' });
  const form = h('form', { class: 'card signin', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const key = input.value.trim();
    if (!key) {
      error.textContent = 'Enter your API key.';
      input.focus();
      return;
    }
    error.textContent = '';
    form.setAttribute('aria-busy', 'true');
    try {
      await api('/v1/weapons?limit=1', { key });
      session.signIn(key);
      route();
    } catch (err) {
      error.textContent = err instanceof ApiError && err.status === 401 ? 'This key was not accepted: it is unknown or revoked.' : `Could not sign in: ${errorMessage(err)}`;
      input.focus();
    } finally {
      form.removeAttribute('aria-busy');
    }
  } },
  h('h1', {}, 'Sign in'),
  h('p', {}, 'Spillover estimates the collateral damage of escaped cyber weapons. Sign in with the API key your administrator gave you.'),
  h('label', { for: 'api-key' }, 'API key'),
  input,
  h('p', { id: 'api-key-help', class: 'help' }, 'The key stays in this browser tab only and is forgotten when you close it.'),
  h('button', { type: 'submit' }, 'Sign in'),
  error);
  // outside the form: forms are not printed, this note is
  clear(main).append(form, printPath());
  input.focus();
}

/**
 * A link to an assessment opened without a key (a new tab, an automated print) lands here: the
 * key is never in a URL, so the page says where a printable copy comes from without a browser.
 */
function printPath() {
  const m = /^#\/assessments\/([^/?#]+)/.exec(location.hash);
  if (!m) return null;
  return h('p', { class: 'card print-path' }, 'To print or archive this assessment without signing in here, ask the server for its briefing: ',
    h('code', {}, `GET /v1/assessments/${decodeURIComponent(m[1])}/briefing.pdf`), ' with the header ', h('code', {}, 'Authorization: Bearer <API key>'),
    ' (a TLP-marked PDF; see docs/decisions.md).');
}

// ---------------------------------------------------------------------------- weapons and assessments

async function homePage(signal) {
  setTitle('Weapons');
  const status = h('p', { class: 'muted' }, 'Loading weapons…');
  clear(main).append(h('h1', {}, 'Weapons and their damage assessments'), status);
  let weapons;
  let assessments;
  let models = [];
  try {
    [weapons, assessments] = await Promise.all([listAll('/v1/weapons', { signal }), listAll('/v1/assessments?limit=1000', { signal })]);
    models = await api('/v1/models', { signal }).then((m) => (Array.isArray(m) ? m : m?.items || []), () => []);
  } catch (err) {
    if (signal.aborted) return;
    // a responder's key may not read assessments: its own view instead of an error
    if (err instanceof ApiError && err.status === 403) return responderPage(main, signal);
    status.textContent = `Could not load: ${errorMessage(err)}`;
    status.className = 'error';
    return;
  }
  if (signal.aborted) return;
  status.remove();
  const byWeapon = new Map();
  for (const a of assessments.map(model.assessment)) {
    if (!byWeapon.has(a.weaponId)) byWeapon.set(a.weaponId, []);
    byWeapon.get(a.weaponId).push(a);
  }
  if (!weapons.length) main.append(h('p', {}, 'No weapons are described yet.'));
  for (const w of weapons.map(model.weapon)) {
    const list = (byWeapon.get(w.id) || []).sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
    main.append(weaponSection(w, list, models, signal));
  }
  focusHeading();
}

function weaponSection(w, list, models, signal) {
  const listEl = h('div', { class: 'assessment-list' });
  const renderList = () => {
    clear(listEl);
    if (!list.length) {
      listEl.append(h('p', { class: 'muted' }, 'No assessment yet.'));
      return;
    }
    listEl.append(table(`Assessments of ${w.name}`, [
      { label: 'Started', value: (a) => h('a', { href: `#/assessments/${encodeURIComponent(a.id)}`, 'aria-label': `Open the assessment of ${w.name} started ${fmt.dateTime(a.createdAt)}` }, fmt.dateTime(a.createdAt)) },
      { label: 'As of', value: (a) => fmt.dateTime(a.inputs.asOf) },
      { label: 'Horizon', value: (a) => fmt.duration(a.inputs.horizonHours) },
      { label: 'Runs', value: (a) => fmt.count(a.inputs.runs), numeric: true },
      { label: 'Collateral loss', value: (a) => collateralLossCell(a), numeric: true },
      { label: 'Status', value: (a) => statusCell(a, signal, renderList) },
    ], list, { class: 'assessments', 'data-weapon': w.id }));
  };
  renderList();
  const section = h('section', { class: 'card weapon', 'aria-labelledby': `weapon-${w.id}` },
    h('h2', { id: `weapon-${w.id}` }, w.name, w.aliases.length ? h('span', { class: 'muted aliases' }, ` (also ${w.aliases.join(', ')})`) : null),
    w.characterised === false
      ? h('p', { class: 'muted uncharacterised' }, h('strong', {}, 'Uncharacterised'), ': first met in a STIX import; its payload, vectors and impact are placeholders until an analyst describes it.')
      : w.payload ? h('p', { class: 'muted' }, `Payload: ${w.payload}`) : null,
    h('p', { class: 'no-print' }, h('a', { href: `#/weapons/${encodeURIComponent(w.id)}/compare`, class: 'compare-link' }, 'Compare its assessments over time')),
    listEl,
    newAssessmentForm(w, models, (a) => {
      list.unshift(a);
      renderList();
    }));
  return section;
}

/**
 * A finished assessment's collateral loss from the list's `headline`, worded as the report's
 * intended/collateral split: the most likely value (the median), its range on a line below.
 */
function collateralLossCell(a) {
  const r = a.status === 'done' ? a.headline?.collateral?.lossUsd?.total : null;
  if (!r) return h('span', { class: 'muted', 'data-assessment': a.id }, a.status === 'done' ? 'n/a' : '–');
  return h('span', { class: 'headline-loss', 'data-assessment': a.id, ...rangeData(r, 'collateral'), title: fmt.rangeSentence(r, fmt.money) },
    h('span', { class: 'mid' }, fmt.money(r.median)),
    h('span', { class: 'rng' }, `${fmt.rangeBounds(r, fmt.money)}, ${Math.round((r.level ?? 0.9) * 100)}% range`));
}

function statusCell(a, signal, onChange) {
  if (a.status === 'done') return freshness(a);
  if (a.status === 'queued' || a.status === 'running') return progressBar(a, signal, onChange);
  return h('span', { class: `badge badge-${a.status}` }, a.status === 'failed' ? `failed${a.error?.message ? `: ${a.error.message}` : ''}` : a.status);
}

function freshness(a) {
  return a.stale
    ? h('span', { class: 'badge badge-stale', title: 'Reports arrived after this assessment read its inputs' }, 'stale: newer reports exist')
    : h('span', { class: 'badge badge-fresh' }, 'fresh');
}

/** A progress bar polling the assessment every second until it finishes. */
function progressBar(a, signal, onChange) {
  const fill = h('div', { class: 'progress-fill' });
  const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-label': 'Assessment progress', 'data-assessment': a.id }, fill);
  const text = h('span', { class: 'progress-text' });
  const show = (x) => {
    const pct = Math.round(x.progress * 100);
    fill.style.width = `${pct}%`;
    bar.setAttribute('aria-valuenow', String(pct));
    text.textContent = `${x.status} ${pct}%${x.etaSeconds ? `, about ${fmt.seconds(x.etaSeconds)} left` : ''}`;
  };
  show(a);
  const timer = setInterval(async () => {
    try {
      const next = model.assessment(await api(`/v1/assessments/${encodeURIComponent(a.id)}`, { signal }));
      Object.assign(a, next);
      show(next);
      if (next.status !== 'queued' && next.status !== 'running') {
        clearInterval(timer);
        announce(`Assessment ${next.status}`);
        onChange();
      }
    } catch {
      if (signal.aborted) clearInterval(timer);
    }
  }, 1000);
  signal.addEventListener('abort', () => clearInterval(timer));
  return h('div', { class: 'progress-cell' }, bar, text);
}

function newAssessmentForm(w, models, onCreated) {
  const id = (name) => `${name}-${w.id}`;
  const error = h('p', { class: 'error', role: 'alert' });
  const field = (name, label, input, help, cls = '') => h('div', { class: `field ${cls}`.trim() }, h('label', { for: id(name) }, label), input, help ? h('p', { class: 'help', id: `${id(name)}-help` }, help) : null);
  // A select cannot wrap: its options say the short name ("Event-driven SIR"), the help below it
  // the whole one, so a phone's narrow select cuts nothing off.
  const shortName = (m) => String(m.name || m.id).replace(/\s*\(.*\)\s*$/, '');
  const modelHelp = h('span', { class: 'model-help' });
  const modelSelect = models.length
    ? h('select', { id: id('model'), name: 'model', 'aria-describedby': `${id('model')}-help`, onchange: () => describeModel() }, models.map((m) => h('option', { value: m.id, selected: m.id === 'sir' || undefined, title: m.name || m.id }, shortName(m))))
    : h('input', { id: id('model'), name: 'model', value: 'sir' });
  const describeModel = () => {
    const m = models.find((x) => x.id === modelSelect.value);
    modelHelp.textContent = m && m.name && m.name !== shortName(m) ? m.name : '';
  };
  describeModel();
  const asOfInput = h('input', { id: id('asOf'), name: 'asOf', type: 'datetime-local' });
  const asOfHelp = h('span', { class: 'asof-help' });
  const reach = h('p', { class: 'banner stale forecast-reach', role: 'status', hidden: true });
  let newest = null;
  // How far the forecast runs past the newest report: a warning beyond 30 days.
  const checkReach = () => {
    if (!newest) return;
    const asOf = asOfInput.value ? Date.parse(`${asOfInput.value}Z`) : Date.now();
    const end = asOf + Number(form.querySelector('[name=horizonHours]').value || 0) * 3_600_000;
    const days = Math.round((end - newest) / 86_400_000);
    reach.hidden = days <= 30;
    reach.textContent = reach.hidden ? '' : `The forecast runs ${fmt.count(days)} days past the newest report of ${w.name}: far beyond the evidence, it only repeats the model's assumptions.`;
  };
  // A weapon with no report in the last 30 days is assessed as of its newest report by default.
  api(`/v1/reports?weaponId=${encodeURIComponent(w.id)}&limit=1`).then((x) => {
    const r = x?.items?.[0];
    if (!r) return;
    newest = Date.parse(r.observedAt);
    if (Date.now() - newest > 30 * 86_400_000 && !asOfInput.value) {
      asOfInput.value = new Date(newest).toISOString().slice(0, 16);
      asOfHelp.textContent = `No report in the last 30 days: as of the newest report (${fmt.dateTime(r.observedAt)}).`;
    }
    checkReach();
  }, () => {});
  const form = h('form', { class: 'new-assessment', 'data-weapon': w.id, oninput: () => checkReach(), onsubmit: async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const body = {
      weaponId: w.id,
      horizonHours: Number(data.get('horizonHours')),
      runs: Number(data.get('runs')),
      confidenceLevel: Number(data.get('confidenceLevel')),
      calibrate: data.get('calibrate') === 'on',
      model: String(data.get('model') || 'sir'),
    };
    if (data.get('asOf')) body.asOf = new Date(`${data.get('asOf')}Z`).toISOString();
    if (String(data.get('seed') || '').trim() !== '') body.seed = Number(data.get('seed'));
    error.textContent = '';
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      const created = await api('/v1/assessments', { method: 'POST', body });
      const full = model.assessment(await api(`/v1/assessments/${encodeURIComponent(created.id)}`).catch(() => ({ ...created, inputs: body, status: created.status || 'queued' })));
      announce(`Assessment of ${w.name} started`);
      onCreated(full);
    } catch (err) {
      error.textContent = `Could not start the assessment: ${errorMessage(err)}`;
    } finally {
      button.disabled = false;
    }
  } },
  h('fieldset', {},
    h('legend', {}, `Start a new assessment of ${w.name}`),
    h('div', { class: 'fields' },
      field('horizonHours', 'Forecast horizon (hours)', h('input', { id: id('horizonHours'), name: 'horizonHours', type: 'number', min: '0', max: '8760', value: '168', required: true })),
      field('runs', 'Monte Carlo runs', h('input', { id: id('runs'), name: 'runs', type: 'number', min: '1', max: '100000', value: '2000', required: true })),
      field('confidenceLevel', 'Range', h('select', { id: id('confidenceLevel'), name: 'confidenceLevel' },
        h('option', { value: '0.8' }, '80%'), h('option', { value: '0.9', selected: true }, '90%'), h('option', { value: '0.95' }, '95%'))),
      field('model', 'Model', modelSelect, modelHelp, 'wide'),
      field('asOf', 'As of (UTC, optional)', asOfInput, asOfHelp),
      field('seed', 'Seed (optional)', h('input', { id: id('seed'), name: 'seed', type: 'number', min: '0', max: '4294967295', inputmode: 'numeric' })),
      h('div', { class: 'field checkbox' }, h('input', { id: id('calibrate'), name: 'calibrate', type: 'checkbox', checked: true }), h('label', { for: id('calibrate') }, 'Calibrate to the reports'))),
    reach,
    h('button', { type: 'submit' }, 'Start assessment'),
    error));
  return form;
}

// ---------------------------------------------------------------------------- one assessment

async function assessmentPage(id, signal) {
  setTitle('Assessment');
  const status = h('p', { class: 'muted' }, 'Loading the assessment…');
  clear(main).append(h('p', { class: 'no-print' }, h('a', { href: '#/' }, '← All weapons')), status);
  let a;
  let w;
  try {
    a = model.assessment(await api(`/v1/assessments/${encodeURIComponent(id)}`, { signal }));
    w = model.weapon(await api(`/v1/weapons/${encodeURIComponent(a.weaponId)}`, { signal }).catch(() => ({ id: a.weaponId })));
  } catch (err) {
    if (signal.aborted) return;
    status.className = 'error';
    status.textContent = err instanceof ApiError && err.status === 404 ? 'There is no such assessment, or you may not see it.' : `Could not load: ${errorMessage(err)}`;
    return;
  }
  if (signal.aborted) return;
  if (a.status !== 'done') {
    status.remove();
    main.append(h('h1', {}, `${w.name}: assessment ${a.status}`));
    if (a.status === 'queued' || a.status === 'running') main.append(progressBar(a, signal, () => route()));
    else main.append(h('p', { class: 'error' }, a.error?.message || `This assessment is ${a.status}.`));
    focusHeading();
    return;
  }
  const q = encodeURIComponent(id);
  const weaponQ = encodeURIComponent(a.weaponId);
  // The newest report used comes with the assessment (`inputs.latestReportAt`, per the reader's
  // TLP rights); the newest report of all tells whether reports observed later exist.
  // The rollup gives the ranges of the collateral loss of every country and sector (the areas
  // come from the entities); organisations add nothing to it (their ranges are not kept), so it
  // is read without that level.
  const [entities, rollup, timeline, warning, newestAny] = await Promise.all([
    api(`/v1/assessments/${q}/entities?collateral=true&sort=loss&limit=10000`, { signal }).catch((e) => e),
    api(`/v1/assessments/${q}/rollup?levels=country,sector&collateral=true`, { signal }).catch((e) => e),
    api(`/v1/assessments/${q}/timeline`, { signal }).catch((e) => e),
    api(`/v1/assessments/${q}/early-warning?withinHours=${WARNING_DEFAULT}&limit=${WARNING_ROWS}`, { signal }).catch((e) => e),
    api(`/v1/reports?weaponId=${weaponQ}&limit=1`, { signal }).then((x) => x?.items?.[0] ?? null, (e) => e),
  ]);
  if (signal.aborted) return;
  status.remove();
  setTitle(`${w.name} damage assessment`);
  const r = a.result;
  const level = `${Math.round(a.inputs.confidenceLevel * 100)}%`;

  const mark = h('p', { class: 'tlp-mark', title: 'The most restrictive TLP (FIRST TLP 2.0) of the reports the figures rest on: printed in the header and footer of every page' }, 'TLP:RED');
  markPrint(a.id, mark, signal);
  main.append(
    h('header', { class: 'report-head' },
      mark,
      h('h1', {}, `${w.name}: collateral damage assessment`),
      h('p', { class: 'lede' }, `Estimated as of ${fmt.dateTime(a.inputs.asOf)}, with a forecast to ${fmt.duration(a.inputs.horizonHours)} later. Every figure is a ${level} range: the true value lies inside it with ${level} probability under the model.`),
      a.stale ? h('p', { class: 'banner stale', role: 'status' }, 'Newer reports have arrived since this assessment read its inputs; start a new assessment for an up-to-date estimate.') : h('p', { class: 'banner fresh' }, 'Up to date: no newer reports since this assessment.'),
      essCaution(a, r),
      h('p', { class: 'no-print actions' }, h('button', { type: 'button', onclick: () => window.print() }, 'Print this page'), ' ', briefingControls(a.id)),
      h('p', { class: 'print-only printed' }, `Spillover report, assessment ${a.id}, printed ${fmt.dateTime(new Date())}. Marked with the most restrictive TLP of the reports its figures rest on.`)),
    headline(r, level),
    splitTable(r),
    treemapSection(entities, rollup, r, level),
    timelineSection(timeline, a),
    protectedSection(r),
    normComplianceSection(id, level, signal),
    exceedanceSection(id, signal),
    warningSection(warning, id, signal),
    methodSection(a, r, { newestAny }));
  focusHeading();
}

function headline(r, level) {
  const total = r.total || {};
  const collateral = r.collateral || {};
  const share = model.get(total, 'lossUsd.total.mean') > 0 ? model.get(collateral, 'lossUsd.total.mean') / model.get(total, 'lossUsd.total.mean') : undefined;
  return h('section', { class: 'headline', 'aria-labelledby': 'headline-title' },
    h('h2', { id: 'headline-title' }, 'How bad is it'),
    Number.isFinite(share) ? h('p', { class: 'lede' }, `About ${fmt.percent(share)} of the expected loss fell on organisations the weapon was not aimed at (collateral).`) : null,
    h('div', { class: 'figures' }, model.METRICS.map((m) => {
      const rng = model.get(total, m.key);
      return h('article', { class: 'figure', 'data-metric': m.key },
        h('h3', {}, m.label),
        h('p', { class: 'big', ...rangeData(rng, 'total') }, rng ? m.fmt(rng.median) : 'n/a'),
        h('p', { class: 'sentence' }, fmt.rangeSentence(rng, m.fmt)),
        h('p', { class: 'muted unit' }, m.unit),
        h('dl', { class: 'split' },
          h('div', {}, h('dt', {}, 'Intended'), splitValue(model.get(r.intended, m.key), 'intended', m)),
          h('div', {}, h('dt', {}, 'Collateral'), splitValue(model.get(collateral, m.key), 'collateral', m))));
    })),
    h('p', { class: 'muted' }, `"Most likely" is the median of the runs; ranges are the central ${level} of the weighted runs.`));
}

/**
 * The most likely value, and its range on a line of its own, both in the metric's compact wording
 * ("13.3m", "11.8m – 14.6m") so each fits one line of half a card; the full sentence in the title.
 */
function splitValue(rng, scope, m) {
  if (!rng) return h('dd', rangeData(rng, scope), 'n/a');
  return h('dd', { ...rangeData(rng, scope), title: fmt.rangeSentence(rng, m.fmt) },
    h('span', { class: 'mid' }, m.short(rng.median)), ' ', h('span', { class: 'rng' }, fmt.rangeBounds(rng, m.short)));
}

function rangeData(r, scope) {
  if (!r) return { 'data-scope': scope };
  return { 'data-scope': scope, 'data-low': String(r.low), 'data-median': String(r.median), 'data-high': String(r.high), 'data-mean': String(r.mean) };
}

function splitTable(r) {
  return h('section', { class: 'split-section', 'aria-labelledby': 'split-title' },
    h('h2', { id: 'split-title' }, 'Intended versus collateral'),
    table('Every figure split into intended targets and collateral, most likely value with its range', [
      { label: 'Figure', value: (m) => m.label },
      { label: 'Intended', value: (m) => fmt.rangeShort(model.get(r.intended, m.key), m.fmt), numeric: true },
      { label: 'Collateral', value: (m) => fmt.rangeShort(model.get(r.collateral, m.key), m.fmt), numeric: true },
      { label: 'Total', value: (m) => fmt.rangeShort(model.get(r.total, m.key), m.fmt), numeric: true },
    ], model.DETAIL_METRICS, { class: 'split-table' }));
}

function unavailable(err, what) {
  return h('p', { class: 'error' }, `The ${what} is not available: ${errorMessage(err)}`);
}

function treemapSection(entities, rollup, r, level) {
  const section = h('section', { class: 'treemap-section', 'aria-labelledby': 'treemap-title' },
    h('h2', { id: 'treemap-title' }, 'Where the collateral loss fell'),
    h('p', { class: 'muted' }, `By country, then sector, then organisation. Area is the expected collateral loss; colour is the probability of infection behind that loss (weighted by each entity's expected loss). Countries and sectors: the most likely loss and its ${level} range; organisations: expected loss only (no range is kept for them). Choose an area (click, or Tab then Enter) to zoom in; Escape zooms out.`));
  if (entities instanceof Error) return append(section, unavailable(entities, 'breakdown'));
  const tree = model.collateralTree(entities.items || [], r, rollup instanceof Error ? null : rollup?.root);
  if (!(tree.loss > 0)) return append(section, h('p', {}, 'No collateral loss in any run.'));
  const treemapEl = h('div', { class: 'chart', id: 'treemap' });
  const partitionEl = h('div', { class: 'chart', id: 'partition' });
  if (rollup instanceof Error) section.append(unavailable(rollup, 'range of each country and sector'));
  section.append(legend(), treemapEl, h('h3', {}, 'The whole tree at once'), h('p', { class: 'muted' }, 'World, countries, sectors and organisations from left to right; height is collateral loss. Choose a band to zoom the treemap to it.'), partitionEl);
  requestAnimationFrame(() => {
    const tm = createTreemap(treemapEl, tree);
    createPartition(partitionEl, tree, { onSelect: (nodeId) => { tm.zoomTo(nodeId); treemapEl.scrollIntoView({ block: 'nearest' }); } });
  });
  return section;
}

function timelineSection(raw, a) {
  const section = h('section', { class: 'timeline-section', 'aria-labelledby': 'timeline-title' },
    h('h2', { id: 'timeline-title' }, 'How it spread'),
    h('p', { class: 'muted' }, 'The estimated number of infected entities (line) with its range (band); the shaded period after the assessment time is the forecast. Below, on its own scale, the infections reported so far.'));
  if (raw instanceof Error) return append(section, unavailable(raw, 'timeline'));
  const el = h('div', { class: 'chart', id: 'timeline' });
  section.append(el);
  requestAnimationFrame(() => createTimeline(el, model.timeline(raw, a)));
  return section;
}

function protectedSection(r) {
  const hits = model.protectedHits(r);
  const expected = hits.reduce((sum, x) => sum + x.probability, 0);
  // Entities hit in (nearly) every run are known hits, mostly reported ones: listed by name apart,
  // so the table ranks the ones whose fate is open by their risk.
  const known = hits.filter((x) => x.probability >= CERTAIN);
  const certain = known.length;
  const atRisk = hits.filter((x) => x.probability < CERTAIN);
  const shown = atRisk.slice(0, PROTECTED_ROWS);
  return h('section', { class: 'protected-section', 'aria-labelledby': 'protected-title' },
    h('h2', { id: 'protected-title' }, 'Protected infrastructure hit'),
    h('p', { class: 'muted' }, 'Hospitals, energy, water, emergency services, nuclear, dams and CSIRTs: infrastructure international norms say must not be harmed.'),
    hits.length
      ? h('p', { class: 'protected-summary' }, `${fmt.count(hits.length)} protected ${hits.length === 1 ? 'entity has' : 'entities have'} a chance of being infected or disrupted; about ${fmt.count(expected)} ${Math.round(expected) === 1 ? 'is' : 'are'} expected to be${certain ? `, ${fmt.count(certain)} of them almost certainly (reported, or hit in every run)` : ''}.${atRisk.length ? ` Not yet certain, by risk${atRisk.length > shown.length ? ` (the ${shown.length} most likely of ${fmt.count(atRisk.length)})` : ''}:` : ''}`)
      : null,
    known.length
      ? h('p', { class: 'protected-known' }, `Almost certainly hit: ${known.slice(0, KNOWN_NAMES).map((x) => x.name).join(', ')}${known.length > KNOWN_NAMES ? ` and ${fmt.count(known.length - KNOWN_NAMES)} more` : ''}.`)
      : null,
    shown.length
      ? table(`Protected entities not yet certainly hit, by probability of being hit${atRisk.length > shown.length ? ` (${shown.length} of ${fmt.count(atRisk.length)})` : ''}, with the norms they fall under`, [
        { label: 'Entity', value: (x) => x.name },
        { label: 'Sector', value: (x) => fmt.sector(x.sector) },
        { label: 'Infected or disrupted', value: (x) => probabilityBar(x.probability), numeric: true },
        { label: 'Infected', value: (x) => (Number.isFinite(x.probabilityInfected) ? fmt.percent(x.probabilityInfected) : 'n/a'), numeric: true },
        { label: 'Norms touched', value: (x) => x.norms.map((n) => h('abbr', { title: NORMS[n] || n, class: 'norm' }, `UN GGE 2015 ${n}`)) },
      ], shown, { class: 'protected-table' })
      : h('p', {}, hits.length ? 'Every protected entity with a chance of being hit is almost certainly hit.' : 'No protected entity was hit in any run.'),
    h('ul', { class: 'norms-key' }, Object.values(NORMS).map((t) => h('li', {}, t))));
}

function probabilityBar(p) {
  const fill = h('span', { class: 'pbar-fill' });
  fill.style.width = `${Math.round(Math.min(1, Math.max(0, p)) * 100)}%`;
  return h('span', { class: 'pbar-wrap' }, h('span', { class: 'pbar', 'aria-hidden': 'true' }, fill), h('span', {}, fmt.percent(p)));
}

function warningSection(raw, id, signal) {
  const intro = h('p', { class: 'muted' });
  const body = h('div', { class: 'warning-body', 'aria-live': 'polite' });
  const section = h('section', { class: 'warning-section', 'aria-labelledby': 'warning-title' },
    h('h2', { id: 'warning-title' }, 'Who to warn now'), intro);
  if (raw instanceof Error) return append(section, unavailable(raw, 'early-warning list'));
  const first = model.earlyWarning(raw);
  const windows = [...new Set([24, WARNING_DEFAULT, 168, ...first.windows])].sort((x, y) => x - y);
  const select = h('select', { id: 'warning-window', name: 'withinHours', onchange: () => load() },
    windows.map((hrs) => h('option', { value: String(hrs), selected: hrs === WARNING_DEFAULT || undefined }, windowWords(hrs))));
  // Collateral only: the API's filter (applied before the limit; the core keeps the entities most
  // at risk of each part, so the list is the collateral entities most at risk).
  const collateralOnly = h('input', { id: 'warning-collateral', name: 'collateral', type: 'checkbox', onchange: () => load() });
  let pending = null;
  const show = (data) => {
    const hrs = data.withinHours ?? WARNING_DEFAULT;
    const only = data.collateral === true;
    const who = only ? 'Collateral organisations (not the weapon\'s targets)' : 'Organisations';
    intro.textContent = `${who} nobody has reported yet, ranked by the probability of being infected within ${windowWords(hrs)} of the assessment time, with the most likely path from a reported infection.`;
    const attrs = { 'data-within-hours': String(hrs), 'data-collateral': String(only) };
    clear(body).append(data.items.length
      ? table(`Unreported ${only ? 'collateral ' : ''}entities most likely to be infected within ${hrs} hours`, [
        { label: 'Entity', value: (x) => x.name },
        { label: 'Where', value: (x) => `${fmt.country(x.country)}, ${fmt.sector(x.sector)}` },
        { label: 'Intended or collateral', value: (x) => (x.collateral ? h('span', { class: 'tag tag-collateral' }, 'collateral') : h('span', { class: 'tag' }, 'intended')) },
        { label: `Probability (${hrs} h)`, value: (x) => probabilityBar(x.probability), numeric: true },
        { label: 'Most likely path', value: (x) => x.path.join(' → ') },
      ], data.items, { class: 'warning-table', ...attrs })
      : h('p', attrs, `No unreported ${only ? 'collateral ' : ''}entity is at risk within ${windowWords(hrs)}.`));
  };
  async function load() {
    const hrs = Number(select.value);
    const filter = collateralOnly.checked ? '&collateral=true' : '';
    pending?.abort();
    const mine = new AbortController();
    pending = mine;
    const stop = () => mine.abort();
    signal.addEventListener('abort', stop, { once: true });
    body.setAttribute('aria-busy', 'true');
    try {
      const url = `/v1/assessments/${encodeURIComponent(id)}/early-warning?withinHours=${hrs}`;
      show(model.earlyWarning(await api(`${url}&limit=${WARNING_ROWS}${filter}`, { signal: mine.signal })));
    } catch (err) {
      if (!mine.signal.aborted) clear(body).append(unavailable(err, 'early-warning list'));
    } finally {
      if (pending === mine) body.removeAttribute('aria-busy');
      signal.removeEventListener('abort', stop);
    }
  }
  section.append(h('div', { class: 'warning-controls no-print' },
    h('div', { class: 'field inline' }, h('label', { for: 'warning-window' }, 'Window'), select),
    h('div', { class: 'field checkbox inline' }, collateralOnly, h('label', { for: 'warning-collateral' }, 'Collateral only (organisations the weapon was not aimed at)'))), body);
  show(first);
  return section;
}

function windowWords(hours) {
  return hours % 24 === 0 && hours >= 48 ? `${hours} hours (${hours / 24} days)` : hours === 24 ? '24 hours (1 day)' : `${hours} hours`;
}

/** A warning when a few runs carry almost all the weight: the ranges are then narrower than the real uncertainty. */
function essCaution(a, r) {
  const ess = model.calibration(r).effectiveSampleSize;
  const runs = a.inputs.runs;
  if (!Number.isFinite(ess) || !Number.isFinite(runs) || a.inputs.calibrate === false || ess >= Math.min(100, 0.1 * runs)) return null;
  return h('p', { class: 'banner caution', role: 'note', 'data-ess': String(ess) },
    `Caution: after weighting the runs by the reports, only about ${fmt.count(Math.max(1, ess))} of the ${fmt.count(runs)} runs carry the weight (effective sample size). `
    + 'The ranges below rest on very few simulated outbreaks and are likely narrower than the real uncertainty; an assessment with more runs gives a sounder range.');
}

function methodSection(a, r, { newestAny } = {}) {
  const cal = model.calibration(r);
  const mc = model.monteCarloError(r);
  const rows = [
    ['model', 'Model', MODEL_WORDS[a.inputs.model] || a.inputs.model],
    ['runs', 'Monte Carlo runs', fmt.count(a.inputs.runs)],
    ['seed', 'Random seed', String(a.inputs.seed ?? 'n/a')],
    ['level', 'Range level', `${Math.round(a.inputs.confidenceLevel * 100)}% central interval of the weighted runs`],
    ['calibration', 'Calibration', a.inputs.calibrate === false ? 'off (forward mode: prior only)' : 'on: runs weighted by how well they explain the reports'],
    ['ess', 'Effective sample size', Number.isFinite(cal.effectiveSampleSize) ? `${essWords(cal.effectiveSampleSize)} of ${fmt.count(a.inputs.runs)} runs` : 'n/a'],
    ['reports', 'Reports used', Number.isFinite(a.inputs.reportsUsed) ? fmt.count(a.inputs.reportsUsed) : 'n/a'],
    ['asof', 'Assessment time', fmt.dateTime(a.inputs.asOf)],
    ['freshness', 'Newest report used', freshnessWords(a, newestAny)],
    ['computed', 'Computed', a.finishedAt ? fmt.dateTime(a.finishedAt) : 'n/a'],
    ['stale', 'Up to date', a.stale ? 'no: newer reports exist for this time' : 'yes: no newer reports for this time'],
  ];
  return h('section', { class: 'method-section', 'aria-labelledby': 'method-title' },
    h('h2', { id: 'method-title' }, 'Method'),
    resultWarnings(r),
    h('p', { class: 'method-plain' }, `We simulated ${fmt.count(a.inputs.runs)} possible courses of the outbreak through organisations and the links between them, starting from the reports. ${a.inputs.calibrate === false ? 'Every course counts the same.' : 'Courses that reproduce what was reported count more, the others less.'} Each figure is the middle ${Math.round(a.inputs.confidenceLevel * 100)}% of the weighted courses.`),
    h('dl', { class: 'method' }, rows.map(([key, k, v]) => h('div', { 'data-method': key }, h('dt', {}, k), h('dd', {}, v)))),
    // the calibration's own name is for specialists: folded away, and left out of the print
    cal.method ? h('details', { class: 'method-technical' }, h('summary', {}, 'Technical detail: the calibration method'), h('p', { class: 'muted' }, `${cal.method}.`)) : null,
    cal.parameters.length
      ? table('Model parameters: what was assumed (prior) and what the reports make likely (posterior)', [
        { label: 'Parameter', value: (p) => h('span', { title: p.name }, fmt.parameter(p.name)) },
        { label: 'Assumed before the reports', value: (p) => rangeShare(p.prior, p.name), numeric: true },
        { label: 'Most likely given the reports', value: (p) => (p.posterior ? share(p.posterior.median, p.name) : 'n/a'), numeric: true },
        { label: 'Range given the reports', value: (p) => rangeShare(p.posterior, p.name), numeric: true },
        { label: '', value: (p) => priorNote(p) },
      ], cal.parameters, { class: 'calibration-table' })
      : null,
    mc.rows.length
      ? table(`Monte Carlo error: how much the figures could move with another ${fmt.count(a.inputs.runs)} runs (95% intervals)`, [
        { label: 'Figure', value: (x) => x.label },
        { label: 'Mean ± standard error', value: (x) => `± ${x.fmt(x.meanStandardError)}`, numeric: true },
        { label: 'Low end of the range', value: (x) => endWords(x.low, x.fmt), numeric: true },
        { label: 'High end of the range', value: (x) => endWords(x.high, x.fmt), numeric: true },
      ], mc.rows, { class: 'mc-table' })
      : null);
}

const MODEL_WORDS = { sir: 'spread over time, with containment (event-driven SIR)', ic: 'spread without time (independent cascade)' };

/** Shares (transmissibility, reporting rate) as %, other parameters as numbers. */
const isShare = (name) => /^(transmissibility|reportingRate)/.test(name || '');
const share = (v, name) => (isShare(name) ? `${Number((v * 100).toPrecision(2))}%` : num(v));
const rangeShare = (r, name) => (r ? `${share(r.low, name)} to ${share(r.high, name)}` : 'n/a');

/** Says when the reports pull a parameter below or above what was assumed. */
function priorNote(p) {
  if (!p.prior || !p.posterior) return '';
  if (p.posterior.median < p.prior.low) return 'below what was assumed';
  if (p.posterior.median > p.prior.high) return 'above what was assumed';
  return '';
}

/** The result's warnings and sampler diagnostics, where a reader cannot miss them. */
function resultWarnings(r) {
  const warnings = Array.isArray(r?.warnings) ? r.warnings : [];
  const diag = r?.diagnostics && typeof r.diagnostics === 'object' ? Object.entries(r.diagnostics) : [];
  if (!warnings.length && !diag.length) return null;
  return h('div', { class: 'banner stale result-warnings', role: 'status' },
    warnings.length ? h('ul', {}, warnings.map((w) => h('li', {}, typeof w === 'string' ? w : w.message || JSON.stringify(w)))) : null,
    diag.length ? h('p', {}, `Sampler diagnostics: ${diag.map(([k, v]) => `${k} ${typeof v === 'number' ? num(v) : JSON.stringify(v)}`).join('; ')}`) : null);
}

function essWords(ess) {
  return ess < 10 ? `about ${Number(ess.toPrecision(2))}` : `about ${fmt.count(Math.round(ess))}`;
}

function endWords(e, f) {
  if (!e || !Number.isFinite(e.low) || !Number.isFinite(e.high)) return 'n/a';
  const [lo, hi] = [f(e.low), f(e.high)];
  return lo === hi ? lo : `${lo} – ${hi}`;
}

/**
 * The newest report the assessment used that this reader may see (`inputs.latestReportAt` and
 * `latestReportFiledAt`, from the API), and whether reports observed later exist.
 */
function freshnessWords(a, any) {
  const { latestReportAt: at, latestReportFiledAt: filedAt, asOf } = a.inputs;
  let text;
  if (!at) {
    text = 'none you may see (the reports used are restricted to other organisations, or this assessment predates the record)';
  } else {
    text = `observed ${fmt.dateTime(at)}`;
    if (filedAt) text += `, filed ${fmt.dateTime(filedAt)}`;
    const age = new Date(asOf).getTime() - new Date(at).getTime();
    if (Number.isFinite(age) && age >= 0) text += ` (${ageWords(age)} before the assessment time)`;
  }
  if (any && !(any instanceof Error) && new Date(any.observedAt) > new Date(asOf)) {
    text += `; reports observed later exist, up to ${fmt.dateTime(any.observedAt)}`;
  }
  return text;
}

function ageWords(ms) {
  const minutes = Math.round(ms / 60e3);
  if (minutes < 90) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}

const num = (v) => (Number.isFinite(v) ? (Math.abs(v) >= 1000 ? fmt.count(v) : Number(v.toPrecision(3)).toString()) : 'n/a');

function append(el, child) {
  el.append(child);
  return el;
}
