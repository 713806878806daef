import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  centroids,
  distance,
  distanceMatrix,
  nearest,
  pairwiseDistances,
  pearson,
  ranks,
  silhouette,
  spearman,
  weightedSilhouette,
} from "../../lib/analysis/geometry";

/** |a - b| <= tol, with a message naming both. */
function close(a: number, b: number, tol: number, what = ""): void {
  assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b} (tol ${tol})`);
}

describe("centroids(points, dims, labels, k)", () => {
  it("centroids averages the rows of each label and counts them (2-d hand case)", () => {
    // By hand: label 0 = rows (0,0) and (2,0) -> (1,0); label 1 = row (0,4) -> (0,4).
    const points = [0, 0, 2, 0, 0, 4];
    const { centres, counts } = centroids(points, 2, [0, 0, 1], 2);
    assert.deepEqual(Array.from(centres), [1, 0, 0, 4]);
    assert.deepEqual(Array.from(counts), [2, 1]);
  });

  it("centroids ignores rows whose label is negative or >= k and leaves empty labels at zero", () => {
    // Rows labelled -1 and 5 (k = 3) do not count; label 2 has no rows -> (0, 0), count 0.
    const points = [0, 0, 2, 0, 0, 4, 10, 10, 100, -100];
    const { centres, counts } = centroids(points, 2, [0, 0, 1, -1, 5], 3);
    assert.deepEqual(Array.from(centres), [1, 0, 0, 4, 0, 0]);
    assert.deepEqual(Array.from(counts), [2, 1, 0]);
  });
});

describe("distanceMatrix(centres, k, dims)", () => {
  it("distanceMatrix of (0,0), (3,0), (0,4) is the 3-4-5 triangle, symmetric with a zero diagonal", () => {
    const D = distanceMatrix([0, 0, 3, 0, 0, 4], 3, 2);
    assert.deepEqual(D, [
      [0, 3, 4],
      [3, 0, 5],
      [4, 5, 0],
    ]);
  });

  it("distance(a, ao, b, bo, dims) reads rows at the given offsets", () => {
    // sqrt((4-1)^2 + (6-2)^2) = 5 by hand.
    assert.equal(distance([9, 1, 2], 1, [4, 6], 0, 2), 5);
  });
});

describe("ranks(values)", () => {
  it("ranks gives 1..n in ascending order of value", () => {
    assert.deepEqual(ranks([30, 10, 20]), [3, 1, 2]);
  });

  it("ranks gives tied values their average rank", () => {
    // By hand: 5 -> 1, 10 -> 2, the three 20s share ranks 3, 4, 5 -> 4.
    assert.deepEqual(ranks([10, 20, 20, 5, 20]), [2, 4, 4, 1, 4]);
    // scipy.stats.rankdata([1, 2, 2, 3, 4, 4, 4, 5]) = [1, 2.5, 2.5, 4, 6, 6, 6, 8] (command below).
    assert.deepEqual(ranks([1, 2, 2, 3, 4, 4, 4, 5]), [1, 2.5, 2.5, 4, 6, 6, 6, 8]);
  });

  it("ranks of an empty list is empty and of equal values is all (n + 1) / 2", () => {
    assert.deepEqual(ranks([]), []);
    assert.deepEqual(ranks([7, 7, 7, 7]), [2.5, 2.5, 2.5, 2.5]);
  });
});

describe("pearson(x, y) and spearman(x, y)", () => {
  it("pearson is +1 for an increasing line and -1 for a decreasing line", () => {
    const x = [1, 2, 3, 4, 5];
    close(
      pearson(
        x,
        x.map((v) => 2 * v + 1),
      ),
      1,
      1e-15,
    );
    close(
      pearson(
        x,
        x.map((v) => -3 * v + 7),
      ),
      -1,
      1e-15,
    );
  });

  it("pearson([1..5], [2, 1, 4, 3, 5]) is 0.8 (by hand: sxy = 8, sxx = syy = 10)", () => {
    close(pearson([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]), 0.8, 1e-15);
  });

  it("spearman is +1 for any increasing relation and -1 for any decreasing one, where pearson is not", () => {
    const x = [1, 2, 3, 4, 5, 6];
    const cube = x.map((v) => v ** 3);
    assert.equal(spearman(x, cube), 1);
    assert.ok(pearson(x, cube) < 0.99);
    assert.equal(
      spearman(
        x,
        x.map((v) => Math.exp(-v)),
      ),
      -1,
    );
  });

  it("spearman with ties matches scipy.stats.spearmanr", () => {
    // /usr/bin/python3 -c "import scipy.stats as st; print(repr(st.spearmanr([1,2,2,3,4,4,4,5],[2,1,3,3,5,4,6,7]).correlation))"
    // -> 0.9200335844703181 (scipy 1.10.1, numpy 1.24.2; spearmanr uses average ranks like ours).
    close(spearman([1, 2, 2, 3, 4, 4, 4, 5], [2, 1, 3, 3, 5, 4, 6, 7]), 0.9200335844703181, 1e-12);
  });

  it("pearson and spearman are NaN when one series is constant", () => {
    assert.ok(Number.isNaN(pearson([1, 2, 3], [4, 4, 4])));
    assert.ok(Number.isNaN(pearson([5, 5], [1, 2])));
    assert.ok(Number.isNaN(spearman([1, 2, 3], [4, 4, 4])));
  });

  it("pearson and spearman throw a RangeError for unequal lengths or fewer than two values, naming the lengths", () => {
    assert.throws(
      () => pearson([1, 2, 3], [1, 2]),
      (e: Error) => e instanceof RangeError && /3, 2/.test(e.message),
    );
    assert.throws(() => spearman([1, 2], [1, 2, 3]), RangeError);
    assert.throws(() => pearson([1], [1]), RangeError);
    assert.throws(() => pearson([], []), RangeError);
  });
});

describe("silhouette(points, dims, labels, rows, k)", () => {
  it("silhouette of two clusters {0, 1} and {10, 11} on a line is the hand value (9.5/10.5 + 8.5/9.5) / 2", () => {
    // By hand, a = 1 for every point; b: point 0 -> mean(10, 11) = 10.5, point 1 -> mean(9, 10) = 9.5,
    // and symmetrically for 10 and 11. s = (b - a) / b, so the mean is (9.5/10.5 + 8.5/9.5) / 2 = 0.8997...
    const v = silhouette([0, 1, 10, 11], 1, [0, 0, 1, 1], [0, 1, 2, 3], 2);
    close(v, (9.5 / 10.5 + 8.5 / 9.5) / 2, 1e-15);
  });

  it("silhouette of two far-apart clusters tends to 1 as (b - a) / b = 1 - 1 / mean distance", () => {
    // Clusters {0, 1} and {1000, 1001}: by the formula above, s = ((1 - 1/1000.5) + (1 - 1/999.5)) / 2 > 0.998.
    const v = silhouette([0, 1, 1000, 1001], 1, [0, 0, 1, 1], [0, 1, 2, 3], 2);
    close(v, (2 - 1 / 1000.5 - 1 / 999.5) / 2, 1e-15);
    assert.ok(v > 0.998);
  });

  it("silhouette of two identical clusters of n points is -1/n, about 0", () => {
    // Each point has the same distance sum S to its own label (n - 1 others, one of them its
    // twin at distance 0 in the other label) and to the other label (n points):
    // a = S / (n - 1), b = S / n, s = (b - a) / a = -1 / n. With n = 50: -0.02.
    const n = 50;
    const points: number[] = [];
    const labels: number[] = [];
    for (const l of [0, 1])
      for (let i = 0; i < n; i++) {
        points.push(Math.sin(i), Math.cos(3 * i)); // any fixed cloud, the same for both labels
        labels.push(l);
      }
    const v = silhouette(
      points,
      2,
      labels,
      Array.from({ length: 2 * n }, (_, i) => i),
      2,
    );
    close(v, -1 / n, 1e-12);
  });

  it("silhouette skips a point whose label has a single row (its a is undefined)", () => {
    // A singleton at 100 (label 2) is skipped; it is farther than the other cluster, so b is unchanged
    // and the value equals the two-cluster hand value.
    const v = silhouette([0, 1, 10, 11, 100], 1, [0, 0, 1, 1, 2], [0, 1, 2, 3, 4], 3);
    close(v, (9.5 / 10.5 + 8.5 / 9.5) / 2, 1e-15);
  });

  it("silhouette uses only the given rows, and is NaN when no row has a label with 2+ rows and another label", () => {
    // Rows 0, 1 and 2 only: {0, 1} vs {10}: points 0 and 1 (a = 1, b = 10 and 9) -> (0.9 + 8/9) / 2; row 2 is a singleton.
    const v = silhouette([0, 1, 10, 11], 1, [0, 0, 1, 1], [0, 1, 2], 2);
    close(v, (0.9 + 8 / 9) / 2, 1e-15);
    assert.ok(Number.isNaN(silhouette([0, 1, 2], 1, [0, 0, 0], [0, 1, 2], 1)), "one label only");
    assert.ok(Number.isNaN(silhouette([0, 1], 1, [0, 1], [0, 1], 2)), "singletons only");
  });
});

describe("nearest(row, self, n, skip)", () => {
  const row = [5, 1, 3, 0, 2];

  it("nearest returns the indices of the n smallest distances, nearest first, without self", () => {
    // Without index 3 (self, distance 0): 1 (1), 4 (2), 2 (3), 0 (5).
    assert.deepEqual(nearest(row, 3, 2), [1, 4]);
    assert.deepEqual(nearest(row, 3, 10), [1, 4, 2, 0]);
  });

  it("nearest leaves out the indices the skip predicate names", () => {
    assert.deepEqual(
      nearest(row, 3, 2, (i) => i === 1),
      [4, 2],
    );
    assert.deepEqual(
      nearest(row, 3, 4, (i) => i % 2 === 0),
      [1],
    );
  });

  it("nearest of n = 0 is empty", () => {
    assert.deepEqual(nearest(row, 0, 0), []);
  });
});

describe("weightedSilhouette(D, labels, weights, k)", () => {
  // Five 2-d points in two labels, by hand: label 0 near the origin, label 1 near (5, 0).
  const points = [0, 0, 1, 0, 0, 1, 5, 0, 6, 0];
  const labels = [0, 0, 0, 1, 1];
  const all = [0, 1, 2, 3, 4];
  const D = pairwiseDistances(points, 2, all);

  it("pairwiseDistances is the symmetric matrix of Euclidean distances with a zero diagonal", () => {
    assert.equal(D[0 * 5 + 3], 5);
    assert.equal(D[3 * 5 + 0], 5);
    close(D[1 * 5 + 2], Math.SQRT2, 1e-15);
    for (let i = 0; i < 5; i++) assert.equal(D[i * 5 + i], 0);
  });

  it("with every weight 1 equals silhouette(...) of the same points exactly", () => {
    assert.equal(weightedSilhouette(D, labels, [1, 1, 1, 1, 1], 2), silhouette(points, 2, labels, all, 2));
  });

  it("with weight 2 on a point counts it twice in the other points' averages and in the mean, never as its own neighbour", () => {
    // By hand, point 1 = (1, 0) weighted 2. Distances: d01 = 1, d02 = 1, d12 = sqrt2, d03 = 5, d04 = 6,
    // d13 = 4, d14 = 5, d23 = sqrt26, d24 = sqrt37, d34 = 1.
    const [r2, r26, r37] = [Math.SQRT2, Math.sqrt(26), Math.sqrt(37)];
    const s0 = ((5 + 6) / 2 - (2 * 1 + 1) / 3) / ((5 + 6) / 2); // a over {1, 1, 2}, b over {3, 4}
    const s1 = ((4 + 5) / 2 - (1 + r2) / 2) / ((4 + 5) / 2); // a over {0, 2}: its copy is not a neighbour
    const s2 = ((r26 + r37) / 2 - (1 + 2 * r2) / 3) / ((r26 + r37) / 2);
    const s3 = ((5 + 2 * 4 + r26) / 4 - 1) / ((5 + 2 * 4 + r26) / 4);
    const s4 = ((6 + 2 * 5 + r37) / 4 - 1) / ((6 + 2 * 5 + r37) / 4);
    close(weightedSilhouette(D, labels, [1, 2, 1, 1, 1], 2), (s0 + 2 * s1 + s2 + s3 + s4) / 6, 1e-12);
  });

  it("with weight 0 on a point equals the silhouette of the set without it", () => {
    const expected = silhouette(points, 2, labels, [0, 1, 3, 4], 2);
    close(weightedSilhouette(D, labels, [1, 1, 0, 1, 1], 2), expected, 1e-12);
  });

  it("is NaN when no label has two members (nothing to compare)", () => {
    assert.ok(Number.isNaN(weightedSilhouette(D, labels, [1, 0, 0, 1, 0], 2)));
  });
});
