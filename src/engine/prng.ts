/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna) on four 32-bit words.
 *
 * Streams: `Rng.forRun(seed, run, substream)` derives the 128-bit state by hashing
 * (seed, run index, sub-stream id) with the murmur3 finaliser, so run `i` of an
 * assessment draws the same numbers whatever thread, shard or machine executes it.
 * Sub-streams separate the parameter draws, the spread and the impact of one run,
 * so that changing one part of the model does not shift the numbers another part sees.
 */

/** murmur3's 32-bit finaliser: a bijective avalanche mix of a 32-bit word. */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const TWO32 = 4294967296;
const INV32 = 1 / TWO32;
const INV31 = 2 / TWO32;

/**
 * Ziggurat tables (Marsaglia & Tsang 2000, "The Ziggurat Method for Generating Random Variables",
 * J. Stat. Softw. 5(8)), laid out as Doornik's ZIGNOR (2005, "An Improved Ziggurat Method to
 * Generate Normal Random Samples"): the density's right half is covered by `n` layers of equal
 * area v, layer 0 being the base rectangle [0, v/f(r)] x [0, f(r)] whose part beyond r stands for
 * the tail. `x[i]` is layer i's right edge (x[0] = v/f(r), x[1] = r, x[n] = 0), `ratio[i]` =
 * x[i+1]/x[i] (a uniform u in layer i with |u| below it lies under the density: accepted with no
 * further test), `f[i]` the density at x[i]. The draw is exact: a point uniform in a layer is
 * kept when it lies under the density, the tail is drawn exactly (see normalTail, Rng.exponential).
 */
function ziggurat(n: number, r: number, v: number, f: (x: number) => number, fInv: (y: number) => number) {
  const x = new Float64Array(n + 1);
  x[0] = v / f(r);
  x[1] = r;
  for (let i = 2; i < n; i++) x[i] = fInv(v / x[i - 1] + f(x[i - 1]));
  const ratio = new Float64Array(n);
  for (let i = 0; i < n; i++) ratio[i] = x[i + 1] / x[i];
  return { x, ratio, f: x.map(f) };
}

/**
 * Standard normal, 128 layers. r and v (the area of a layer, r f(r) + the tail beyond r) are
 * Marsaglia & Tsang's, solved again to 20 digits (mpmath) so that the top layer, recomputed here
 * in double precision, closes on the mode to 2e-14 of its area (their 13 digits left 1e-9).
 */
export const NORMAL_ZIGGURAT = ziggurat(128, 3.4426198558966521214, 9.9125630353364610791e-3, (x) => Math.exp(-0.5 * x * x), (y) => Math.sqrt(-2 * Math.log(y)));
/** Exp(1), 256 layers, r and v solved the same way (the top layer closes to 5e-14). */
export const EXPONENTIAL_ZIGGURAT = ziggurat(256, 7.697117470131049714, 3.94965982258155722e-3, (x) => Math.exp(-x), (y) => -Math.log(y));
const NX = NORMAL_ZIGGURAT.x;
const NRATIO = NORMAL_ZIGGURAT.ratio;
const NF = NORMAL_ZIGGURAT.f;
const NR = NX[1];
const EX = EXPONENTIAL_ZIGGURAT.x;
const ERATIO = EXPONENTIAL_ZIGGURAT.ratio;
const EF = EXPONENTIAL_ZIGGURAT.f;
const ER = EX[1];

/** Sub-stream ids used by the engine. */
export const Substream = { parameters: 1, spread: 2, impact: 3, seeds: 4, reporting: 5, check: 6, forward: 7, tempering: 8, reportDraws: 9, pilot: 16 } as const;

/** xoshiro128**: fast, small state, period 2^128 - 1; 32-bit outputs. */
export class Rng {
  /** State words in a typed array: V8 keeps them as raw int32 (object fields would box them). */
  private readonly s = new Int32Array(4);

  /**
   * @param seed any non-negative integer up to 2^53 (the assessment seed)
   * @param run the run index (0..2^53)
   * @param substream a small integer separating independent uses within one run
   */
  constructor(seed: number, run = 0, substream = 0) {
    const sLo = seed >>> 0;
    const sHi = Math.floor(seed / TWO32) >>> 0;
    const rLo = run >>> 0;
    const rHi = Math.floor(run / TWO32) >>> 0;
    const words = [0, 0, 0, 0];
    for (let k = 0; k < 4; k++) {
      let h = mix32(sLo + Math.imul(k + 1, 0x9e3779b9));
      h = mix32(h ^ sHi ^ 0x632be5ab);
      h = mix32(h ^ rLo);
      h = mix32(h ^ rHi ^ 0x7f4a7c15);
      h = mix32(h ^ Math.imul(substream + 1, 0x85ebca6b));
      words[k] = h;
    }
    if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = 1;
    this.s[0] = words[0];
    this.s[1] = words[1];
    this.s[2] = words[2];
    this.s[3] = words[3];
  }

  /** The stream of run `run` (sub-stream `substream`) under assessment seed `seed`. */
  static forRun(seed: number, run: number, substream: number): Rng {
    return new Rng(seed, run, substream);
  }

  /** Next uniform 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const a = s[0];
    const b = s[1];
    const c = s[2] ^ a;
    const d = s[3] ^ b;
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    s[1] = b ^ c;
    s[0] = a ^ d;
    s[2] = c ^ (b << 9);
    s[3] = rotl(d, 11);
    return r;
  }

  /** Uniform in the open interval (0, 1) (never 0, so its logarithm is finite). */
  random(): number {
    return (this.nextU32() + 0.5) * INV32;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  /**
   * Standard normal by the ziggurat (tables above). The layer comes from a second 32-bit word,
   * not from bits of the one giving u: Marsaglia & Tsang's original takes both from one word,
   * which ties the layer to u's low bits; Doornik (2005) found that version failing tests of
   * normality with a 32-bit generator.
   */
  normal(): number {
    for (;;) {
      const u = ((this.nextU32() | 0) + 0.5) * INV31; // uniform on (-1, 1), symmetric
      const i = this.nextU32() & 127;
      if (Math.abs(u) < NRATIO[i]) return u * NX[i];
      if (i === 0) return u < 0 ? -this.normalTail() : this.normalTail();
      const x = u * NX[i];
      if (NF[i] + this.random() * (NF[i + 1] - NF[i]) < Math.exp(-0.5 * x * x)) return x;
    }
  }

  /** |Z| given |Z| > r (Marsaglia 1964): exact, and accepts with probability above 0.9. */
  private normalTail(): number {
    for (;;) {
      const x = this.exponential1() / NR;
      const y = this.exponential1();
      if (y + y >= x * x) return NR + x;
    }
  }

  /** Exp(1) by the ziggurat (tables above); the tail beyond r is r + Exp(1) (memorylessness). */
  exponential1(): number {
    let base = 0;
    for (;;) {
      const u = (this.nextU32() + 0.5) * INV32;
      const i = this.nextU32() & 255;
      if (u < ERATIO[i]) return base + u * EX[i];
      if (i === 0) base += ER;
      else {
        const x = u * EX[i];
        if (EF[i] + this.random() * (EF[i + 1] - EF[i]) < Math.exp(-x)) return base + x;
      }
    }
  }

  /** Exponential with the given rate. */
  exponential(rate: number): number {
    return this.exponential1() / rate;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
