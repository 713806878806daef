import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../lib/core/rng";
import { loadBlas } from "../../lib/model/blas";
import { gemmFor } from "../../lib/model/backend";
import { jsGemm, tfjsGemm } from "../../lib/model/gemm";

function random(n: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => rng.random() * 2 - 1);
}

describe("jsGemm (the reference)", () => {
  it("computes a 2 x 2 product, its transposes and an accumulation by hand", () => {
    const A = new Float32Array([1, 2, 3, 4]);
    const B = new Float32Array([5, 6, 7, 8]);
    const C = new Float32Array(4);
    jsGemm(false, false, 2, 2, 2, A, B, C);
    assert.deepEqual(Array.from(C), [19, 22, 43, 50]);
    jsGemm(true, false, 2, 2, 2, A, B, C);
    assert.deepEqual(Array.from(C), [26, 30, 38, 44]); // A^T B
    jsGemm(false, true, 2, 2, 2, A, B, C, true);
    assert.deepEqual(Array.from(C), [26 + 17, 30 + 23, 38 + 39, 44 + 53]); // + A B^T
  });
});

for (const backend of ["cpu", "wasm"] as const) {
  describe(`tfjsGemm on tfjs ${backend}`, () => {
    it("matches jsGemm for every transpose, with and without accumulation, within 1e-5, and leaks no tensors", async () => {
      if (backend === "wasm") await import("@tensorflow/tfjs-backend-wasm");
      assert.ok(await tf.setBackend(backend));
      const rng = new Rng(5);
      const before = tf.memory().numTensors;
      // [2, 5, 6]: A B^T with a large B takes the (B A^T)^T route; [7, 3, 4] the direct one.
      for (const [M, N, K] of [
        [2, 5, 6],
        [7, 3, 4],
      ]) {
        for (const transA of [false, true]) {
          for (const transB of [false, true]) {
            for (const accumulate of [false, true]) {
              const A = random(M * K, rng);
              const B = random(K * N, rng);
              const C0 = random(M * N, rng);
              const ours = C0.slice();
              const ref = C0.slice();
              tfjsGemm(transA, transB, M, N, K, A, B, ours, accumulate);
              jsGemm(transA, transB, M, N, K, A, B, ref, accumulate);
              for (let i = 0; i < ref.length; i++)
                assert.ok(Math.abs(ours[i] - ref[i]) < 1e-5, `${M}x${N}x${K} ${transA} ${transB} at ${i}`);
            }
          }
        }
      }
      assert.equal(tf.memory().numTensors, before);
    });

    it("reads only the first M x K and K x N values of longer views", async () => {
      assert.ok(await tf.setBackend(backend));
      const A = new Float32Array([1, 2, 3, 4, 99, 99]);
      const B = new Float32Array([5, 6, 7, 8, 99]);
      const C = new Float32Array(4);
      tfjsGemm(false, false, 2, 2, 2, A, B, C);
      assert.deepEqual(Array.from(C), [19, 22, 43, 50]);
    });
  });
}

describe("gemmFor(backend)", () => {
  it("gives tfjs's matMul for the tfjs backends and the native product for blas", (t) => {
    assert.equal(gemmFor("wasm"), tfjsGemm);
    assert.equal(gemmFor("cpu"), tfjsGemm);
    assert.equal(gemmFor("tensorflow"), tfjsGemm);
    const blas = loadBlas();
    if (!blas.ok) {
      assert.throws(() => gemmFor("blas"), /backend "blas": the cvae-lens-blas binding did not load/);
      return t.skip(blas.reason);
    }
    assert.equal(gemmFor("blas"), blas.gemm);
  });
});
