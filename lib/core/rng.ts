// A seeded random number generator that is passed explicitly; no library function
// touches global random state (Math.random is never used).
//
// It is MT19937 with numpy's legacy `RandomState` algorithms (seeding, random_sample,
// bounded integers, shuffle, permutation, gauss), so `new Rng(98765).permutation(n)`
// equals `np.random.RandomState(98765).permutation(n)`. That makes our data split the
// very split of Liang et al.'s scripts, rectorch and the PyTorch reference.

/** The study's default seed everywhere (split, initialisation, samples): the one of Liang et al.'s scripts. */
export const STUDY_SEED = 98765;

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** Serialisable generator state (checkpoints store it to resume bit-exactly). */
export interface RngState {
  name: "mt19937";
  key: number[];
  pos: number;
  hasGauss: boolean;
  gauss: number;
}

export class Rng {
  private readonly key = new Uint32Array(N);
  private pos = N;
  private hasGauss = false;
  private gauss = 0;

  /** Seeds like `np.random.RandomState(seed)`; seed must be an integer in [0, 2^32). */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed must be an integer in [0, 2^32 - 1], got ${seed}`);
    }
    let s = seed >>> 0;
    for (let i = 0; i < N; i++) {
      this.key[i] = s;
      // 1812433253 * x overflows 2^53 in doubles, so multiply with Math.imul (mod 2^32).
      s = (Math.imul(1812433253, (s ^ (s >>> 30)) >>> 0) + i + 1) >>> 0;
    }
  }

  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.setState(state);
    return rng;
  }

  getState(): RngState {
    return { name: "mt19937", key: Array.from(this.key), pos: this.pos, hasGauss: this.hasGauss, gauss: this.gauss };
  }

  setState(state: RngState): void {
    if (state.name !== "mt19937" || state.key.length !== N || !(state.pos >= 0 && state.pos <= N)) {
      throw new TypeError("invalid RNG state: expected an mt19937 state with 624 words");
    }
    this.key.set(state.key);
    this.pos = state.pos;
    this.hasGauss = state.hasGauss;
    this.gauss = state.gauss;
  }

  /** Next 32-bit unsigned integer of the MT19937 stream. */
  uint32(): number {
    if (this.pos >= N) this.twist();
    let y = this.key[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits (numpy `random_sample`). */
  random(): number {
    const a = this.uint32() >>> 5;
    const b = this.uint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform integer in [0, max], inclusive (numpy `random_interval`, masked rejection). */
  interval(max: number): number {
    if (max === 0) return 0;
    if (!Number.isInteger(max) || max < 0 || max > 0xffffffff) {
      throw new RangeError(`interval max must be an integer in [0, 2^32 - 1], got ${max}`);
    }
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let value: number;
    do {
      value = (this.uint32() & mask) >>> 0;
    } while (value > max);
    return value;
  }

  /** Uniform integer in [0, n). */
  integer(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`integer(n) needs a positive integer n, got ${n}`);
    return this.interval(n - 1);
  }

  /** Standard normal deviate (numpy legacy polar method, pairs cached). */
  normal(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      return this.gauss;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.random() - 1;
      x2 = 2 * this.random() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /** In-place Fisher-Yates shuffle, numpy's order (i from n-1 down to 1). */
  shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.interval(i);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** A random permutation of 0..n-1 (numpy `permutation(n)`). */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out);
  }

  /** `size` distinct values of 0..n-1 (numpy legacy `choice(n, size, replace=False)`). */
  sampleWithoutReplacement(n: number, size: number): Int32Array {
    if (size > n || size < 0) throw new RangeError(`cannot take ${size} distinct values out of ${n}`);
    return this.permutation(n).slice(0, size);
  }

  private twist(): void {
    const mt = this.key;
    let y: number;
    let i = 0;
    for (; i < N - M; i++) {
      y = (mt[i] & UPPER_MASK) | (mt[i + 1] & LOWER_MASK);
      mt[i] = mt[i + M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; i < N - 1; i++) {
      y = (mt[i] & UPPER_MASK) | (mt[i + 1] & LOWER_MASK);
      mt[i] = mt[i + (M - N)] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.pos = 0;
  }
}

/**
 * A seed for an independent stream derived from a base seed and a label, so that
 * e.g. weight init and batch shuffling do not share one sequence. (FNV-1a + murmur finaliser.)
 */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
