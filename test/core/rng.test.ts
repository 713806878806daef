import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deriveSeed, Rng } from "../../lib/core/rng";

// Reference values from Debian's numpy 1.24.2:
//   r = np.random.RandomState(98765); r.permutation(10); r.random_sample(); r.randint(1000)
//   np.random.RandomState(98765).standard_normal(3)
//   np.random.RandomState(0).choice(7, size=3, replace=False)
//   r = np.random.RandomState(5); x = np.arange(20000); r.shuffle(x)
describe("Rng (numpy RandomState-compatible MT19937)", () => {
  it("new Rng(98765).permutation(10) equals numpy's, and the stream continues identically", () => {
    const rng = new Rng(98765);
    assert.deepEqual(Array.from(rng.permutation(10)), [8, 7, 1, 2, 0, 6, 9, 4, 3, 5]);
    assert.equal(rng.random(), 0.5860864842471264);
    assert.equal(rng.integer(1000), 74);
  });

  it("normal() equals numpy's legacy standard_normal to the last bit", () => {
    const rng = new Rng(98765);
    assert.deepEqual([rng.normal(), rng.normal(), rng.normal()], [-0.650441703609501, 0.8503419468382726, 1.0750098966701982]);
  });

  it("sampleWithoutReplacement(7, 3) equals numpy's choice(7, 3, replace=False)", () => {
    assert.deepEqual(Array.from(new Rng(0).sampleWithoutReplacement(7, 3)), [6, 2, 1]);
  });

  it("permutation(20000) matches numpy's shuffle at both ends", () => {
    const x = new Rng(5).permutation(20000);
    assert.deepEqual(Array.from(x.slice(0, 5)), [14456, 5536, 4029, 128, 14309]);
    assert.deepEqual(Array.from(x.slice(-3)), [3046, 18638, 2915]);
  });

  it("a restored state continues the exact same stream (including a cached normal)", () => {
    const a = new Rng(42);
    a.normal(); // leaves the second normal of the pair cached
    const b = Rng.fromState(JSON.parse(JSON.stringify(a.getState())));
    assert.deepEqual([a.normal(), a.random(), a.uint32()], [b.normal(), b.random(), b.uint32()]);
  });

  it("the same seed gives the same stream and another seed a different one", () => {
    assert.deepEqual(Array.from(new Rng(7).permutation(50)), Array.from(new Rng(7).permutation(50)));
    assert.notDeepEqual(Array.from(new Rng(7).permutation(50)), Array.from(new Rng(8).permutation(50)));
  });

  it("interval(max) stays within [0, max] and interval(0) is 0", () => {
    const rng = new Rng(1);
    assert.equal(rng.interval(0), 0);
    for (let i = 0; i < 1000; i++) {
      const v = rng.interval(6);
      assert.ok(v >= 0 && v <= 6 && Number.isInteger(v));
    }
  });

  it("random() has mean 1/2 and variance 1/12 within 4 standard errors over 100k draws", () => {
    const rng = new Rng(3);
    const n = 100_000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const v = rng.random();
      sum += v;
      sq += v * v;
    }
    const mean = sum / n;
    assert.ok(Math.abs(mean - 0.5) < 4 * Math.sqrt(1 / 12 / n));
    assert.ok(Math.abs(sq / n - mean * mean - 1 / 12) < 0.002);
  });

  it("rejects seeds outside [0, 2^32) and bad arguments with a RangeError", () => {
    assert.throws(() => new Rng(-1), RangeError);
    assert.throws(() => new Rng(2 ** 32), RangeError);
    assert.throws(() => new Rng(1.5), RangeError);
    assert.throws(() => new Rng(1).integer(0), RangeError);
    assert.throws(() => new Rng(1).sampleWithoutReplacement(3, 4), RangeError);
    assert.throws(() => Rng.fromState({ name: "mt19937", key: [1, 2], pos: 0, hasGauss: false, gauss: 0 }), TypeError);
  });

  it("deriveSeed gives distinct, stable 32-bit seeds per label", () => {
    assert.equal(deriveSeed(98765, "init"), deriveSeed(98765, "init"));
    assert.notEqual(deriveSeed(98765, "init"), deriveSeed(98765, "shuffle"));
    assert.notEqual(deriveSeed(1, "init"), deriveSeed(2, "init"));
    const s = deriveSeed(0, "");
    assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32);
  });
});
