// Icicle (d3-hierarchy `partition`) of the same tree: the whole hierarchy at once, world on the
// left, then countries, sectors and organisations; width is collateral loss. Choosing a band
// zooms the treemap to it. Labels: the world, countries and sectors with the most likely loss and
// its range, organisations with their expected loss (model.js `lossWords`).
import { clear, s, nextId } from '../dom.js';
import * as fmt from '../format.js';
import { lossWords } from '../model.js';
import { textOn, probabilityFill } from '../palette.js';

const d3 = window.d3;

export function createPartition(container, data, { onSelect } = {}) {
  function render() {
    const width = Math.max(280, Math.round(container.clientWidth || 900));
    const root = d3.hierarchy(data).sum((d) => (d.children && d.children.length ? 0 : Math.max(0, d.loss || 0)));
    root.sort((a, b) => b.value - a.value);
    const height = Math.round(Math.min(520, Math.max(260, width * 0.42)));
    d3.partition().size([height, width]).padding(1).round(false)(root);
    const titleId = nextId('partition-title');
    const svg = s('svg', { class: 'partition', width, height, viewBox: `0 0 ${width} ${height}`, role: 'group', 'aria-labelledby': titleId },
      s('title', { id: titleId }, 'Collateral loss from the world down to organisations (icicle chart); choose a band to zoom the treemap to it'));
    for (const n of root.descendants()) {
      if (!(n.value > 0)) continue;
      const x = n.y0;
      const y = n.x0;
      const w = Math.max(0, n.y1 - n.y0);
      const hgt = Math.max(0, n.x1 - n.x0);
      const fill = probabilityFill(n.data.probability);
      const label = `${n.ancestors().reverse().map((a) => a.data.name).join(' > ')}, ${lossWords(n.data)}. ${fmt.percent(n.data.probability)} probability of infection`;
      const big = hgt >= 14;
      const g = s('g', {
        class: 'band', transform: `translate(${x},${y})`, 'data-id': n.data.id,
        tabindex: big ? '0' : null, role: big ? 'button' : null, 'aria-label': big ? label : null,
        onclick: () => onSelect?.(n.data.id),
        onkeydown: (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            onSelect?.(n.data.id);
          }
        },
      }, s('title', {}, label), s('rect', { width: w, height: hgt, fill }));
      if (big && w > 50) g.append(s('text', { x: 4, y: Math.min(hgt / 2 + 4, 14), fill: textOn(fill), 'aria-hidden': 'true', class: 'band-label' }, truncate(n.data.name, w)));
      svg.append(g);
    }
    clear(container).append(svg);
  }
  render();
  let last = container.clientWidth;
  const observer = new ResizeObserver(() => {
    if (Math.abs(container.clientWidth - last) > 8) {
      last = container.clientWidth;
      render();
    }
  });
  observer.observe(container);
}

function truncate(text, width) {
  const max = Math.max(3, Math.floor((width - 8) / 6.5));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
