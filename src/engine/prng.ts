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

/** Sub-stream ids used by the engine. */
export const Substream = { parameters: 1, spread: 2, impact: 3, seeds: 4, reporting: 5, check: 6, forward: 7, tempering: 8, reportDraws: 9, pilot: 16 } as const;

/** xoshiro128**: fast, small state, period 2^128 - 1; 32-bit outputs. */
export class Rng {
  /** State words in a typed array: V8 keeps them as raw int32 (object fields would box them). */
  private readonly s = new Int32Array(4);
  private spare = NaN;

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

  /** Standard normal (Box-Muller, both values used). */
  normal(): number {
    const s = this.spare;
    if (s === s) {
      this.spare = NaN;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(this.random()));
    const th = 2 * Math.PI * this.random();
    this.spare = r * Math.sin(th);
    return r * Math.cos(th);
  }

  /** Exponential with the given rate. */
  exponential(rate: number): number {
    return -Math.log(this.random()) / rate;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
