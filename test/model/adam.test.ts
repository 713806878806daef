import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { adamUpdate, type AdamState } from "../../lib/model/adam";

describe("adamUpdate(params, grads, state, lr, step, from, to)", () => {
  const state = (n: number): AdamState => ({ m: new Float32Array(n), v: new Float32Array(n), step: 0 });

  it("adamUpdate matches a hand computation of PyTorch's Adam for 2 steps (lr 0.1, betas 0.9 / 0.999, eps 1e-8)", () => {
    // PyTorch: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; c1 = 1 - b1^t; c2 = 1 - b2^t;
    //          p -= (lr / c1) * m / (sqrt(v) / sqrt(c2) + eps).
    // p0 = [1, -2, 0.5]; g1 = [0.5, -1, 0]; g2 = [0.1, 2, -0.3].
    // Step 1: m = 0.1 g1 = [0.05, -0.1, 0]; v = 0.001 g1^2 = [0.00025, 0.001, 0]; c1 = 0.1; c2 = 0.001;
    //   sqrt(v / c2) = |g1| = [0.5, 1, 0]; update = 0.1 * (m / 0.1) / (|g1| + 1e-8)
    //   = [0.099999998, -0.099999999, 0 / 1e-8 = 0] -> p1 = [0.900000002, -1.900000001, 0.5].
    // Step 2: m = 0.9 m + 0.1 g2 = [0.055, 0.11, -0.03];
    //   v = 0.999 v + 0.001 g2^2 = [0.00024975 + 0.00001, 0.000999 + 0.004, 0 + 0.00009] = [0.00025975, 0.004999, 0.00009];
    //   c1 = 1 - 0.81 = 0.19; c2 = 1 - 0.998001 = 0.001999; lr / c1 = 0.5263157895;
    //   sqrt(v / c2) = [0.3604718713, 1.5813761018, 0.2121850873];
    //   update = 0.5263157895 * m / (sqrt(v / c2) + 1e-8) = [0.0803040956, 0.0366103525, -0.0744136788]
    //   -> p2 = [0.8196959064, -1.9366103535, 0.5744136788].
    // Tolerance 1e-6: params, m and v are float32 (relative rounding 6e-8 per store).
    const p = Float32Array.from([1, -2, 0.5]);
    const s = state(3);
    adamUpdate(p, [Float32Array.from([0.5, -1, 0])], s, 0.1, 1);
    const close = (got: ArrayLike<number>, want: number[], tol: number, what: string) =>
      want.forEach((w, i) => assert.ok(Math.abs(got[i] - w) <= tol * Math.max(1, Math.abs(w)), `${what}[${i}] = ${got[i]}, want ${w}`));
    close(p, [0.900000002, -1.900000001, 0.5], 1e-6, "p1");
    close(s.m, [0.05, -0.1, 0], 1e-7, "m1");
    close(s.v, [0.00025, 0.001, 0], 1e-9, "v1");
    adamUpdate(p, [Float32Array.from([0.1, 2, -0.3])], s, 0.1, 2);
    close(p, [0.8196959064, -1.9366103535, 0.5744136788], 1e-6, "p2");
    close(s.m, [0.055, 0.11, -0.03], 1e-7, "m2");
    close(s.v, [0.00025975, 0.004999, 0.00009], 1e-9, "v2");
  });

  it("adamUpdate with two gradient buffers equals one buffer holding their sum", () => {
    // Dyadic values, so each sum is exact in float32 and the results must be identical.
    const gA = Float32Array.from([0.25, -0.5, 1.5, 0, 3]);
    const gB = Float32Array.from([0.5, 0.125, -2, 0.75, -1]);
    const sum = gA.map((x, i) => x + gB[i]);
    const p1 = Float32Array.from([1, 2, 3, 4, 5]);
    const p2 = p1.slice();
    const s1 = state(5);
    const s2 = state(5);
    for (let step = 1; step <= 3; step++) {
      adamUpdate(p1, [gA, gB], s1, 0.01, step);
      adamUpdate(p2, [sum], s2, 0.01, step);
    }
    assert.deepEqual(p1, p2);
    assert.deepEqual(s1.m, s2.m);
    assert.deepEqual(s1.v, s2.v);
  });

  it("adamUpdate only touches params, m and v in [from, to)", () => {
    const p = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const s: AdamState = { m: new Float32Array(6).fill(0.5), v: new Float32Array(6).fill(0.25), step: 0 };
    const g = new Float32Array(6).fill(1);
    adamUpdate(p, [g], s, 0.1, 1, 2, 4);
    assert.deepEqual(Array.from(p.subarray(0, 2)), [1, 2]);
    assert.deepEqual(Array.from(p.subarray(4)), [5, 6]);
    assert.ok(p[2] !== 3 && p[3] !== 4);
    assert.deepEqual(Array.from(s.m), [0.5, 0.5, 0.55, 0.55, 0.5, 0.5].map(Math.fround));
    assert.deepEqual([s.v[0], s.v[1], s.v[4], s.v[5]], [0.25, 0.25, 0.25, 0.25]);
  });

  it("adamUpdate rejects zero or more than two gradient buffers", () => {
    const p = new Float32Array(2);
    const g = new Float32Array(2);
    assert.throws(() => adamUpdate(p, [], state(2), 0.1, 1), RangeError);
    assert.throws(() => adamUpdate(p, [g, g, g], state(2), 0.1, 1), RangeError);
  });
});
