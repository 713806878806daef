import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LatentPca, PCA_FORMAT } from "../../lib/analysis/pca";
import { Rng } from "../../lib/core/rng";

function close(a: number, b: number, tol: number, what = ""): void {
  assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b} (tol ${tol})`);
}

function dot(a: readonly number[], b: readonly number[]): number {
  return a.reduce((s, v, i) => s + v * b[i], 0);
}

/**
 * A small fixed matrix (6 x 3) whose column means (3, 1, 1) are exact in floating point.
 * Reference values from numpy 1.24.2 (Debian 12):
 *   /usr/bin/python3 -c "
 *   import numpy as np
 *   X = np.array([[2,0,1],[4,2,-1],[0,1,3],[6,5,1],[1,-2,0],[5,0,2]], float)
 *   w, V = np.linalg.eigh(np.cov(X.T)); o = np.argsort(w)[::-1]; w = w[o]; V = V[:, o]
 *   for k in range(3):
 *       j = np.argmax(abs(V[:, k]))
 *       if V[j, k] < 0: V[:, k] *= -1
 *   print(repr(w / w.sum())); print(repr(V.T)); print(repr((X - X.mean(0)) @ V))"
 */
const SMALL = Float32Array.from([2, 0, 1, 4, 2, -1, 0, 1, 3, 6, 5, 1, 1, -2, 0, 5, 0, 2]);
const NP_EXPLAINED = [0.7003365736194174, 0.1925881690283273, 0.1070752573522554];
const NP_LOADINGS = [
  [0.7092458936843928, 0.7005968750661264, -0.07832165051507349],
  [-0.4681212061762337, 0.5511205470767296, 0.6907450172950617],
  [0.5270984714642373, -0.45324404159064746, 0.7188442391385217],
];
const NP_SCORES = [
  [-1.4098427687505193, -0.08299934090049593, -0.07385442987358981],
  [1.5664860697806662, -1.2984906936896274, -1.3638340484034535],
  [-2.2843809820833254, 2.7858536531188243, -0.14360693611566844],
  [4.930125181317685, 0.8001185697782174, -0.23168075196987803],
  [-3.4419607620520916, -1.407864246172783, -0.41330905729505385],
  [0.6395732617875858, -0.7966179421341354, 2.226285223657644],
];

/**
 * 5,000 rows of  offset + 10 g1 a1 + 5 g2 a2 + 1 g3 a3  with g ~ N(0, 1) (seeded) and the
 * orthonormal axes a1 = (2, 3, 6)/7, a2 = (3, -6, 2)/7, a3 = (6, 2, -3)/7 (dot products 0 by hand).
 */
function cloud(n = 5000, seed = 11): Float32Array {
  const rng = new Rng(seed);
  const axes = [AXES[0], AXES[1], AXES[2]];
  const std = [10, 5, 1];
  const offset = [100, -50, 7];
  const out = new Float32Array(n * 3);
  for (let r = 0; r < n; r++) {
    const g = std.map((s) => s * rng.normal());
    for (let j = 0; j < 3; j++) out[r * 3 + j] = offset[j] + g[0] * axes[0][j] + g[1] * axes[1][j] + g[2] * axes[2][j];
  }
  return out;
}
const AXES = [
  [2 / 7, 3 / 7, 6 / 7],
  [3 / 7, -6 / 7, 2 / 7],
  [6 / 7, 2 / 7, -3 / 7],
];

describe("LatentPca.fit(data, dims, options)", () => {
  it("fit on a rotated cloud with std 10, 5, 1 finds the known axes (signed: largest entry positive) with |cos| > 0.999", () => {
    const pca = LatentPca.fit(cloud(), 3, { components: 3 });
    const { loadings } = pca.toJSON();
    // The expected signs follow the rule: a1 (largest entry 6/7 > 0), -a2 (largest |entry| -6/7), a3 (6/7 > 0).
    const expected = [AXES[0], AXES[1].map((v) => -v), AXES[2]];
    for (let k = 0; k < 3; k++) {
      close(Math.hypot(...loadings[k]), 1, 1e-12, `|loading ${k}|`);
      assert.ok(dot(loadings[k], expected[k]) > 0.999, `component ${k}: cos = ${dot(loadings[k], expected[k])}`);
    }
  });

  it("fit's explained variance ratios match std^2 / sum = 100/126, 25/126, 1/126 within three standard errors", () => {
    // Tolerances: Var(s^2) = 2 sigma^4 / (n - 1) per axis, so the standard errors of the eigenvalues are
    // 2.0, 0.5, 0.02; the delta method on r_k = lambda_k / sum gives SE(r1) ~ SE(r2) ~ 0.0045 and
    // SE(r3) ~ 0.0002; tolerances are 3 SE rounded up: 0.015, 0.015, 0.001.
    const pca = LatentPca.fit(cloud(), 3, { components: 3 });
    const want = [100 / 126, 25 / 126, 1 / 126];
    const tol = [0.015, 0.015, 0.001];
    pca.explained.forEach((r, k) => close(r, want[k], tol[k], `ratio ${k}`));
    close(
      pca.explained.reduce((a, b) => a + b, 0),
      1,
      1e-12,
      "all components sum to 1",
    );
    assert.equal(pca.components, 3);
    assert.equal(pca.toJSON().rows, 5000);
  });

  it("fit with fewer components keeps the leading ones and their shares of the total variance", () => {
    const data = cloud(500, 3);
    const all = LatentPca.fit(data, 3, { components: 3 }).toJSON();
    const two = LatentPca.fit(data, 3, { components: 2 }).toJSON();
    assert.deepEqual(two.loadings, all.loadings.slice(0, 2));
    assert.deepEqual(two.explained, all.explained.slice(0, 2));
    assert.ok(two.explained[0] + two.explained[1] < 1);
  });

  it("fit of a small fixed matrix matches numpy's eigh of np.cov: loadings, explained variance and scores", () => {
    const pca = LatentPca.fit(SMALL, 3, { components: 3 });
    const m = pca.toJSON();
    assert.deepEqual(m.means, [3, 1, 1]);
    m.explained.forEach((r, k) => close(r, NP_EXPLAINED[k], 1e-12, `explained ${k}`));
    m.loadings.forEach((l, k) => l.forEach((v, j) => close(v, NP_LOADINGS[k][j], 1e-10, `loading ${k},${j}`)));
    const scores = pca.transform(SMALL);
    NP_SCORES.forEach((row, r) => row.forEach((v, c) => close(scores[r * 3 + c], v, 1e-10, `score ${r},${c}`)));
  });

  it("fit gives every component a positive largest-|loading| entry, and the same loadings for the negated data (scores negated)", () => {
    const pca = LatentPca.fit(SMALL, 3, { components: 3 });
    for (const l of pca.toJSON().loadings) {
      const big = l.reduce((b, v, j) => (Math.abs(v) > Math.abs(l[b]) ? j : b), 0);
      assert.ok(l[big] > 0);
    }
    const negated = SMALL.map((v) => -v);
    const neg = LatentPca.fit(negated, 3, { components: 3 });
    assert.deepEqual(neg.toJSON().loadings, pca.toJSON().loadings);
    const a = pca.transform(SMALL);
    const b = neg.transform(negated);
    a.forEach((v, i) => close(b[i], -v, 1e-12, `score ${i}`));
  });

  it("fit with the rows option fits on that subset only (the same model as fitting the subset's rows)", () => {
    const rows = [0, 2, 4, 5];
    const sub = Float32Array.from(rows.flatMap((r) => Array.from(SMALL.subarray(r * 3, r * 3 + 3))));
    const onRows = LatentPca.fit(SMALL, 3, { components: 2, rows: Int32Array.from(rows) }).toJSON();
    const onSub = LatentPca.fit(sub, 3, { components: 2 }).toJSON();
    assert.deepEqual(onRows, onSub);
    assert.equal(onRows.rows, 4);
    assert.notDeepEqual(onRows.means, LatentPca.fit(SMALL, 3, { components: 2 }).toJSON().means);
  });

  it("fit rejects fewer than 2 rows, data that is not whole rows, and components outside 1..dims", () => {
    assert.throws(() => LatentPca.fit(Float32Array.of(1, 2, 3), 3, { components: 1 }), /at least 2 rows/);
    assert.throws(() => LatentPca.fit(new Float32Array(0), 3, { components: 1 }), RangeError);
    assert.throws(() => LatentPca.fit(new Float32Array(7), 3, { components: 1 }), RangeError);
    assert.throws(() => LatentPca.fit(SMALL, 3, { components: 1, rows: [2] }), /at least 2 rows/);
    for (const components of [0, 4, 1.5, -1]) {
      assert.throws(
        () => LatentPca.fit(SMALL, 3, { components }),
        (e: Error) => e instanceof RangeError && /1\.\.3/.test(e.message),
        `components ${components}`,
      );
    }
    // The default (5 components, as in the paper) does not fit 3-d data.
    assert.throws(() => LatentPca.fit(SMALL, 3), RangeError);
  });
});

describe("LatentPca.fit(data, dims, { rows }) with bad rows", () => {
  it("fit rejects row indices outside the data, naming the index", () => {
    assert.throws(
      () => LatentPca.fit(Float32Array.of(1, 2, 3, 4), 2, { components: 1, rows: [0, 5] }),
      (e: Error) => e instanceof RangeError && /5/.test(e.message),
    );
  });
});

describe("LatentPca.transform(data, rows)", () => {
  it("transform of the mean row is 0 on every component", () => {
    const pca = LatentPca.fit(SMALL, 3, { components: 3 });
    const scores = pca.transform(Float32Array.of(3, 1, 1)); // the means, exact in float32
    assert.equal(scores.length, 3);
    for (const v of scores) assert.equal(Math.abs(v), 0);
  });

  it("transform of chosen rows equals those rows of the full transform (rows x components)", () => {
    const pca = LatentPca.fit(SMALL, 3, { components: 2 });
    const all = pca.transform(SMALL);
    assert.equal(all.length, 6 * 2);
    assert.deepEqual(pca.transform(SMALL, [3, 1]), Float64Array.of(all[6], all[7], all[2], all[3]));
  });
});

describe("LatentPca.toJSON() and LatentPca.load(json)", () => {
  it("a JSON round trip (JSON.stringify then LatentPca.load) gives identical transforms", () => {
    const data = cloud(300, 5);
    const pca = LatentPca.fit(data, 3, { components: 2 });
    const json: unknown = JSON.parse(JSON.stringify(pca));
    const back = LatentPca.load(json);
    assert.deepEqual(back.toJSON(), pca.toJSON());
    assert.deepEqual(back.transform(data), pca.transform(data));
    assert.equal((json as { name: string }).name, PCA_FORMAT);
  });

  it("load rejects a wrong name, a wrong version and means or loadings that do not match dims and components", () => {
    const good = JSON.parse(JSON.stringify(LatentPca.fit(SMALL, 3, { components: 2 })));
    assert.throws(() => LatentPca.load(null), TypeError);
    assert.throws(
      () => LatentPca.load({ ...good, name: "something-else" }),
      (e: Error) => e instanceof TypeError && e.message.includes(PCA_FORMAT),
    );
    assert.throws(
      () => LatentPca.load({ ...good, version: 2 }),
      (e: Error) => e instanceof RangeError && /version 2/.test(e.message),
    );
    assert.throws(() => LatentPca.load({ ...good, means: [3, 1] }), /do not match/);
    assert.throws(() => LatentPca.load({ ...good, components: 3 }), /do not match/);
    assert.throws(() => LatentPca.load({ ...good, loadings: [good.loadings[0], [1, 0]] }), /do not match/);
    assert.throws(() => LatentPca.load({ ...good, dims: 4 }), /do not match/);
  });
});
