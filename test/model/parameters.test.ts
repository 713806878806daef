import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allocate, initParams, type ModelDims, PARAM_NAMES, paramLayout, paramView } from "../../lib/model/parameters";
import { Rng } from "../../lib/core/rng";

describe("paramLayout(dims)", () => {
  it("paramLayout({m: 5, C: 2, H: 4, L: 3}) lays out W1 (m+C) x H, b1, W2 H x 2L, b2, W3 L x H, b3, W4 H x m, b4 back to back", () => {
    // By hand: W1 7x4 = 28 at 0; b1 1x4 at 28; W2 4x6 = 24 at 32; b2 1x6 at 56; W3 3x4 = 12 at 62;
    // b3 1x4 at 74; W4 4x5 = 20 at 78; b4 1x5 at 98; total 103.
    const layout = paramLayout({ items: 5, conditions: 2, hidden: 4, latentDim: 3 });
    const got = PARAM_NAMES.map((n) => [n, layout.entries[n].offset, layout.entries[n].rows, layout.entries[n].cols]);
    assert.deepEqual(got, [
      ["W1", 0, 7, 4],
      ["b1", 28, 1, 4],
      ["W2", 32, 4, 6],
      ["b2", 56, 1, 6],
      ["W3", 62, 3, 4],
      ["b3", 74, 1, 4],
      ["W4", 78, 4, 5],
      ["b4", 98, 1, 5],
    ]);
    assert.equal(layout.size, 103);
    for (const n of PARAM_NAMES) assert.equal(layout.entries[n].name, n);
  });

  it("paramLayout gives a Mult-VAE (0 conditions) a W1 of m x H", () => {
    // m = 5, H = 4: W1 20, b1 4, W2 4x2 = 8, b2 2, W3 1x4 = 4, b3 4, W4 20, b4 5 -> 67.
    const layout = paramLayout({ items: 5, conditions: 0, hidden: 4, latentDim: 1 });
    assert.deepEqual([layout.entries.W1.rows, layout.entries.W1.cols], [5, 4]);
    assert.equal(layout.size, 67);
  });

  it("paramLayout rejects zero items, hidden or latent and non-integer or negative dims, naming the dim", () => {
    const base: ModelDims = { items: 5, conditions: 2, hidden: 4, latentDim: 3 };
    for (const [key, value] of [
      ["items", 0],
      ["hidden", 0],
      ["latentDim", 0],
      ["items", 2.5],
      ["hidden", NaN],
      ["latentDim", 1.5],
      ["conditions", -1],
      ["conditions", 0.5],
    ] as const) {
      const name = key === "latentDim" ? "latent" : key; // messages name the latent size as configs do
      assert.throws(
        () => paramLayout({ ...base, [key]: value }),
        (err: Error) => err instanceof RangeError && err.message.includes(name) && !err.message.includes("latentDim"),
        `${key} = ${value}`,
      );
    }
  });

  it("paramView(flat, layout, name) is a view into the flat array, not a copy", () => {
    const layout = paramLayout({ items: 5, conditions: 2, hidden: 4, latentDim: 3 });
    const flat = new Float32Array(layout.size);
    const b2 = paramView(flat, layout, "b2");
    assert.equal(b2.length, 6);
    b2[0] = 7;
    assert.equal(flat[56], 7);
  });
});

describe("initParams(layout, rng)", () => {
  // A big layout so the weight statistics are sharp: W4 is 200 x 1000 = 200,000 weights.
  const big = paramLayout({ items: 1000, conditions: 3, hidden: 200, latentDim: 50 });
  const params = initParams(big, new Rng(98765));

  it("initParams is deterministic per seed and differs between seeds", () => {
    const small = paramLayout({ items: 6, conditions: 2, hidden: 5, latentDim: 2 });
    const a = initParams(small, new Rng(1));
    assert.deepEqual(initParams(small, new Rng(1)), a);
    assert.notDeepEqual(initParams(small, new Rng(2)), a);
    // Writing into a given array gives the same values.
    const into = new Float32Array(small.size);
    assert.equal(initParams(small, new Rng(1), into), into);
    assert.deepEqual(into, a);
    assert.throws(() => initParams(small, new Rng(1), new Float32Array(small.size + 1)), /needs/);
  });

  it("initParams draws every weight matrix within +-a, a = sqrt(6 / (fan_in + fan_out)), using the whole range", () => {
    for (const name of ["W1", "W2", "W3", "W4"] as const) {
      const e = big.entries[name];
      const a = Math.sqrt(6 / (e.rows + e.cols));
      const w = paramView(params, big, name);
      let max = 0;
      for (const x of w) max = Math.max(max, Math.abs(x));
      // Rounding to float32 is monotonic, so |w| <= a becomes |w| <= fround(a).
      assert.ok(max <= Math.fround(a), `${name}: max |w| ${max} > a ${a}`);
      // With >= 10,000 uniform draws, the largest |w| is within 0.1 % of a (P(miss) = 0.999^10000 ~ 5e-5).
      assert.ok(max > 0.999 * a, `${name}: max |w| ${max} far below a ${a}`);
    }
  });

  it("initParams gives W4 a uniform spread: mean ~0, variance ~a^2/3, and equal counts in 10 equal bins", () => {
    const e = big.entries.W4;
    const a = Math.sqrt(6 / (e.rows + e.cols)); // sqrt(6 / 1200) = 0.0707
    const w = paramView(params, big, "W4");
    const N = w.length;
    let sum = 0;
    for (const x of w) sum += x;
    const mean = sum / N;
    let ss = 0;
    for (const x of w) ss += (x - mean) ** 2;
    const variance = ss / (N - 1);
    // U(-a, a): mean 0 with sd a / sqrt(3N); variance a^2/3, and the sample variance has
    // sd a^2 sqrt(4 / (45 N)) (Var(X^2) = E X^4 - (E X^2)^2 = a^4/5 - a^4/9). Tolerance: 5 sd each.
    assert.ok(Math.abs(mean) < (5 * a) / Math.sqrt(3 * N), `mean ${mean}`);
    assert.ok(Math.abs(variance - (a * a) / 3) < 5 * a * a * Math.sqrt(4 / (45 * N)), `variance ${variance} vs ${(a * a) / 3}`);
    // Bins of width a/5 over [-a, a): each holds Binomial(N, 0.1), sd sqrt(0.09 N) = 134; 5 sd allowed.
    const bins = new Array<number>(10).fill(0);
    for (const x of w) bins[Math.min(9, Math.floor(((x + a) / (2 * a)) * 10))]++;
    for (const count of bins) assert.ok(Math.abs(count - N / 10) < 5 * Math.sqrt(0.09 * N), `bins ${bins}`);
  });

  it("initParams draws biases from a normal of std 0.001 truncated at 2 std: within +-0.002, sample std ~0.00088", () => {
    // N(0, s^2) truncated to [-2s, 2s] has variance s^2 (1 - 4 phi(2) / (2 Phi(2) - 1))
    // = s^2 (1 - 4 * 0.0539910 / 0.9544997) = 0.773741 s^2, i.e. std 0.879625 s = 0.000879625.
    const all: number[] = [];
    for (const name of ["b1", "b2", "b3", "b4"] as const) all.push(...paramView(params, big, name));
    assert.equal(all.length, 200 + 100 + 200 + 1000);
    assert.ok(
      all.every((x) => Math.abs(x) <= Math.fround(0.002)),
      "a bias beyond 2 std",
    );
    const N = all.length;
    const mean = all.reduce((s, x) => s + x, 0) / N;
    const std = Math.sqrt(all.reduce((s, x) => s + (x - mean) ** 2, 0) / (N - 1));
    // sd of the sample std ~ std * sqrt((kurtosis - 1) / (4N)) <= 0.00088 * sqrt(2 / 6000) = 1.6e-5 (kurtosis < 3 after truncation); 5 sd
    // allowed.
    assert.ok(Math.abs(std - 0.000879625) < 8e-5, `std ${std}`);
    assert.ok(Math.abs(mean) < (5 * 0.00088) / Math.sqrt(N), `mean ${mean}`);
    // Truncation, not clipping: no mass piles up at the bounds.
    assert.ok(all.filter((x) => Math.abs(x) > 0.00199).length < 10);
  });
});

describe("allocate(n, shared)", () => {
  it("allocate(n, true) is a zeroed Float32Array backed by a SharedArrayBuffer; allocate(n, false) by a plain ArrayBuffer", () => {
    const shared = allocate(10, true);
    assert.ok(shared.buffer instanceof SharedArrayBuffer);
    assert.equal(shared.length, 10);
    assert.ok(shared.every((x) => x === 0));
    const plain = allocate(10, false);
    assert.ok(plain.buffer instanceof ArrayBuffer);
    assert.ok(!((plain.buffer as unknown) instanceof SharedArrayBuffer));
    assert.equal(plain.length, 10);
  });
});
