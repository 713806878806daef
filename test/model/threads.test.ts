import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { autoThreads, blasThreadsPerCall } from "../../lib/model/threads";

describe("autoThreads(backend, cores)", () => {
  it("gives wasm and BLAS two training threads where there are two cores or more, one on one core", () => {
    for (const backend of ["wasm", "blas"] as const) {
      assert.equal(autoThreads(backend, 1), 1);
      assert.equal(autoThreads(backend, 2), 2);
      assert.equal(autoThreads(backend, 16), 2);
    }
  });

  it("leaves native TensorFlow and cpu on one training thread (TensorFlow threads by itself)", () => {
    assert.equal(autoThreads("tensorflow", 16), 1);
    assert.equal(autoThreads("cpu", 16), 1);
  });
});

describe("blasThreadsPerCall(trainingThreads, cores)", () => {
  it("shares the cores out so training threads x BLAS threads never exceeds them (at least 1)", () => {
    assert.equal(blasThreadsPerCall(2, 2), 1);
    assert.equal(blasThreadsPerCall(1, 2), 2);
    assert.equal(blasThreadsPerCall(2, 16), 8);
    assert.equal(blasThreadsPerCall(2, 3), 1);
    assert.equal(blasThreadsPerCall(2, 1), 1);
  });

  it("rejects a thread count that is not a positive integer, naming it", () => {
    assert.throws(() => blasThreadsPerCall(0), /trainingThreads must be a positive integer, got 0/);
    assert.throws(() => blasThreadsPerCall(1.5), /got 1.5/);
  });
});
