// Zoomable treemap of collateral loss (d3-hierarchy `treemap`, plain SVG). Shows the children of
// the focused node: one rectangle per child with a loss above zero; Enter or a click zooms into
// a child, Escape or Backspace (or the breadcrumb) zooms out. Colour: probability of infection.
// Countries and sectors are labelled with the most likely loss and its range (the rollup's),
// organisations with their expected loss (model.js `lossWords`, `cellText`).
import { clear, h, s, nextId, announce, table } from '../dom.js';
import * as fmt from '../format.js';
import { lossWords, cellText, expectedLoss } from '../model.js';
import { viridis, textOn, probabilityFill } from '../palette.js';

const d3 = window.d3;
const LEVEL_WORDS = { world: 'country', country: 'sector', sector: 'organisation', organization: 'site' };

export function createTreemap(container, data, { onFocus } = {}) {
  const root = d3.hierarchy(data).sum((d) => (d.children && d.children.length ? 0 : Math.max(0, d.loss || 0)));
  root.sort((a, b) => b.value - a.value);
  let focus = root;

  const crumbs = h('nav', { class: 'breadcrumb', 'aria-label': 'Treemap level' });
  const titleId = nextId('treemap-title');
  const descId = nextId('treemap-desc');
  const figure = h('div', { class: 'treemap-figure' });
  const alt = h('details', { class: 'alt-table' }, h('summary', {}, 'Show this level as a table'));
  const altBody = h('div');
  alt.append(altBody);
  clear(container).append(crumbs, figure, alt);

  function zoomTo(node, { focusCell = true } = {}) {
    focus = node;
    render();
    if (focusCell) {
      const first = figure.querySelector('.cell');
      (first || figure.querySelector('svg')).focus?.();
    }
    announce(`Treemap: ${path(focus).map((n) => n.data.name).join(' > ')}`);
    onFocus?.(focus);
  }

  function zoomOut() {
    if (focus.parent) zoomTo(focus.parent);
  }

  function render() {
    // Breadcrumb: every ancestor is a button that zooms back to it.
    clear(crumbs);
    const trail = path(focus);
    trail.forEach((n, i) => {
      if (i) crumbs.append(h('span', { class: 'sep', 'aria-hidden': 'true' }, ' › '));
      crumbs.append(i === trail.length - 1
        ? h('span', { class: 'crumb current', 'aria-current': 'location' }, n.data.name)
        : h('button', { type: 'button', class: 'crumb', onclick: () => zoomTo(n) }, n.data.name));
    });

    const width = Math.max(280, Math.round(figure.clientWidth || container.clientWidth || 900));
    const height = Math.round(Math.min(560, Math.max(300, width * 0.55)));
    const sub = d3.hierarchy(focus.data).sum((d) => (d.children && d.children.length ? 0 : Math.max(0, d.loss || 0)));
    sub.sort((a, b) => b.value - a.value);
    d3.treemap().tile(d3.treemapSquarify).size([width, height]).paddingInner(2).round(true)(sub);
    const cells = (sub.children || []).filter((c) => c.value > 0);
    const childLevel = LEVEL_WORDS[focus.data.level] || 'group';

    const svg = s('svg', {
      class: 'treemap', width, height, viewBox: `0 0 ${width} ${height}`, role: 'group',
      'aria-labelledby': titleId, 'aria-describedby': descId, tabindex: '-1',
      'data-depth': String(focus.depth), 'data-focus': focus.data.id,
      onkeydown: (e) => {
        if (e.key === 'Escape' || e.key === 'Backspace') {
          e.preventDefault();
          zoomOut();
        }
      },
    },
    s('title', { id: titleId }, `Collateral loss in ${focus.data.name} by ${childLevel}`),
    s('desc', { id: descId }, cells.length
      ? `${cells.length} ${childLevel} areas, sized by expected collateral loss and coloured by probability of infection. Largest: ${cells.slice(0, 3).map((c) => `${c.data.name}, ${lossWords(c.data)}`).join('. ')}.`
      : 'No collateral loss at this level.'));

    for (const c of cells) {
      const node = focus.children?.find((n) => n.data.id === c.data.id);
      const zoomable = Boolean(node?.children?.some((k) => k.value > 0));
      const fill = probabilityFill(c.data.probability);
      const w = c.x1 - c.x0;
      const hgt = c.y1 - c.y0;
      const label = `${c.data.name}, ${lossWords(c.data)}. ${fmt.percent(c.data.probability)} probability of infection, ${c.data.count} entities${zoomable ? '. Press Enter to zoom in.' : ''}`;
      const g = s('g', {
        class: zoomable ? 'cell zoomable' : 'cell', transform: `translate(${c.x0},${c.y0})`, tabindex: '0',
        role: zoomable ? 'button' : 'img', 'aria-label': label, 'data-id': c.data.id,
        onclick: () => zoomable && zoomTo(node),
        onkeydown: (e) => {
          if (zoomable && (e.key === 'Enter' || e.key === ' ')) {
            e.preventDefault();
            zoomTo(node);
          }
        },
      },
      s('title', {}, label),
      s('rect', { class: 'cell-rect', width: w, height: hgt, fill, 'data-value': String(c.value), 'data-probability': String(c.data.probability) }));
      if (w > 60 && hgt > 30) {
        const colour = textOn(fill);
        const text = cellText(c.data);
        g.append(s('text', { x: 6, y: 16, fill: colour, class: 'cell-name', 'aria-hidden': 'true' }, truncate(c.data.name, w)));
        g.append(s('text', { x: 6, y: 31, fill: colour, class: 'cell-value', 'aria-hidden': 'true' }, fitting(text.value, w)));
        const range = text.range && hgt > 46 ? fitting(text.range, w, null) : null;
        if (range) g.append(s('text', { x: 6, y: 46, fill: colour, class: 'cell-range', 'aria-hidden': 'true' }, range));
      }
      svg.append(g);
    }
    clear(figure).append(svg);

    // Ranges for countries and sectors; organisations have expected values only.
    const ranged = cells.some((c) => c.data.rangeState !== 'expected-only');
    clear(altBody).append(table(`Collateral loss in ${focus.data.name} by ${childLevel}${ranged ? '' : ' (organisations: expected values only, no range)'}`, [
      { label: childLevel.charAt(0).toUpperCase() + childLevel.slice(1), value: (c) => c.data.name },
      ranged ? { label: 'Collateral loss, most likely (range)', value: (c) => rangeCell(c.data), numeric: true } : null,
      { label: 'Collateral loss (expected)', value: (c) => fmt.money(expectedLoss(c.data)), numeric: true },
      { label: 'Probability of infection', value: (c) => fmt.percent(c.data.probability), numeric: true },
      { label: 'Entities', value: (c) => String(c.data.count), numeric: true },
    ].filter(Boolean), cells, { class: 'treemap-table' }));
  }

  render();
  const observer = new ResizeObserver(() => {
    const svg = figure.querySelector('svg');
    if (svg && Math.abs(Number(svg.getAttribute('width')) - figure.clientWidth) > 8) render();
  });
  observer.observe(figure);

  return {
    zoomTo: (id) => {
      const node = root.descendants().find((n) => n.data.id === id);
      if (node) zoomTo(node.children ? node : node.parent || node);
    },
    zoomOut,
    get focus() { return focus; },
    root,
  };
}

function path(node) {
  return node.ancestors().reverse();
}

/** The range column of the table: "$12.3m ($8.1m – $19.0m, 90% range)", or why there is none. */
function rangeCell(d) {
  if (d.rangeState === 'shown') return `${fmt.money(d.range.median)} (${fmt.rangeBounds(d.range, fmt.money)}, ${Math.round((d.range.level ?? 0.9) * 100)}% range)`;
  if (d.rangeState === 'withheld') return 'not available (withheld under TLP, or not computed)';
  if (d.rangeState === 'unavailable') return 'not available';
  return 'expected value only';
}

/** The first of `candidates` (longest first) that fits `width` at the cells' 12px type; else `fallback` (the last, cut). */
function fitting(candidates, width, fallback = truncate(candidates[candidates.length - 1], width)) {
  return candidates.find((t) => t.length * 6.8 + 10 <= width) ?? fallback;
}

function truncate(text, width) {
  const max = Math.max(3, Math.floor((width - 10) / 7));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The colour legend: a viridis ramp from 0% to 100% probability of infection. */
export function legend(title = 'Probability of infection') {
  const id = nextId('ramp');
  const width = 260;
  const pad = 16;
  const stops = Array.from({ length: 11 }, (_, i) => s('stop', { offset: `${i * 10}%`, 'stop-color': viridis(i / 10) }));
  return h('figure', { class: 'legend' },
    s('svg', { width: width + 2 * pad, height: 42, viewBox: `0 0 ${width + 2 * pad} 42`, role: 'img', 'aria-label': `${title}: dark purple is 0%, through teal and green, to yellow at 100%` },
      s('defs', {}, s('linearGradient', { id, x1: '0', x2: '1', y1: '0', y2: '0' }, stops)),
      s('rect', { x: pad, y: 4, width, height: 14, fill: `url(#${id})`, stroke: '#555', 'stroke-width': 0.5 }),
      [0, 0.25, 0.5, 0.75, 1].map((t) => s('g', { transform: `translate(${pad + t * width},0)` },
        s('line', { y1: 18, y2: 23, stroke: '#333' }),
        s('text', { y: 36, 'text-anchor': 'middle', class: 'tick' }, `${t * 100}%`)))),
    h('figcaption', {}, `${title} (colour; grey: not shown); area is collateral loss`));
}
