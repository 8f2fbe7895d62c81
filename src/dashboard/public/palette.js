// Viridis (matplotlib; perceptually uniform, readable with every common colour-vision deficiency
// and in greyscale), sampled at 11 stops and interpolated linearly.
const VIRIDIS = ['#440154', '#482475', '#414487', '#355f8d', '#2a788e', '#21918c', '#22a884', '#44bf70', '#7ad151', '#bddf26', '#fde725'];

const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const STOPS = VIRIDIS.map(rgb);
const hex = (c) => `#${c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;

export function viridis(t) {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  return hex(STOPS[i].map((v, k) => v + (STOPS[i + 1][k] - v) * f));
}

/** Black or white, whichever reads better on the given fill (WCAG relative luminance). */
export function textOn(fill) {
  const [r, g, b] = rgb(fill).map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.2 ? '#111111' : '#ffffff';
}

export const VIRIDIS_STOPS = VIRIDIS;

/** The fill of a probability; grey when it is not known (e.g. withheld entities). */
export const probabilityFill = (p) => (Number.isFinite(p) ? viridis(p) : '#9a9aa6');
