import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { columnCounts, countProduct, csrFromPairs, density, nnz, rowOf, sortRows, validateCsr } from "../../lib/data/sparse";

describe("csrFromPairs(rows, cols, rowOf, colOf)", () => {
  it("groups by row with ascending columns and keeps a repeated pair once", () => {
    const m = csrFromPairs(3, 5, [2, 0, 2, 0, 2], [4, 3, 1, 3, 0]);
    assert.deepEqual(Array.from(m.indptr), [0, 1, 1, 4]);
    assert.deepEqual(Array.from(m.indices), [3, 0, 1, 4]);
    assert.equal(nnz(m), 4);
    assert.deepEqual(Array.from(rowOf(m, 2)), [0, 1, 4]);
    assert.equal(density(m), 4 / 15);
  });
  it("rejects rows and columns out of range", () => {
    assert.throws(() => csrFromPairs(2, 2, [2], [0]), /row 2 outside 0\.\.1/);
    assert.throws(() => csrFromPairs(2, 2, [0], [-1]), /column -1 outside 0\.\.1/);
  });
});

describe("sortRows(m)", () => {
  it("sorts long and short rows alike", () => {
    const long = Array.from({ length: 40 }, (_, i) => (i * 17) % 40);
    const m = sortRows({ rows: 2, cols: 40, indptr: Int32Array.from([0, 3, 43]), indices: Int32Array.from([5, 1, 3, ...long]) });
    assert.deepEqual(Array.from(rowOf(m, 0)), [1, 3, 5]);
    assert.deepEqual(
      Array.from(rowOf(m, 1)),
      Array.from({ length: 40 }, (_, i) => i),
    );
  });
});

describe("countProduct(a, b) and columnCounts(m)", () => {
  it("counts, per user, the items carrying each genre", () => {
    const userItems = csrFromPairs(2, 3, [0, 0, 1], [0, 1, 2]);
    const itemGenres = csrFromPairs(3, 2, [0, 1, 1, 2], [0, 0, 1, 1]);
    assert.deepEqual(Array.from(countProduct(userItems, itemGenres)), [2, 1, 0, 1]);
    assert.deepEqual(Array.from(columnCounts(itemGenres)), [2, 2]);
    assert.throws(() => countProduct(itemGenres, itemGenres), /3x2 times 3x2/);
  });
});

describe("validateCsr(m, what)", () => {
  it("names the matrix and the inconsistency", () => {
    assert.throws(
      () => validateCsr({ rows: 1, cols: 2, indptr: Int32Array.from([0, 2]), indices: Int32Array.from([0, 5]) }, "train"),
      /train: column index 5 outside 0\.\.1/,
    );
    assert.throws(
      () => validateCsr({ rows: 2, cols: 2, indptr: Int32Array.from([0, 1]), indices: Int32Array.from([0]) }, "x"),
      /x: indptr has 2 entries for 2 rows/,
    );
  });
});
