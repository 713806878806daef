import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import { blasInfo, loadBlas, setBlasThreads } from "../../lib/model/blas";
import { jsGemm } from "../../lib/model/gemm";
import { Rng } from "../../lib/core/rng";

const blas = loadBlas();
const skip = blas.ok ? false : blas.reason;

function random(n: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => rng.random() * 2 - 1);
}

describe("the BLAS Gemm (cvae-lens-blas)", () => {
  it("matches the plain-JS reference for every transpose and with accumulation, within 1e-5", { skip }, () => {
    const rng = new Rng(3);
    const [M, N, K] = [7, 5, 9];
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const accumulate of [false, true]) {
          const A = random(M * K, rng);
          const B = random(K * N, rng);
          const C0 = random(M * N, rng);
          const ours = C0.slice();
          const ref = C0.slice();
          blas.gemm?.(transA, transB, M, N, K, A, B, ours, accumulate);
          jsGemm(transA, transB, M, N, K, A, B, ref, accumulate);
          for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(ours[i] - ref[i]) < 1e-5, `${transA} ${transB} ${accumulate} at ${i}`);
        }
      }
    }
  });

  it("works on subarray views (offsets into one buffer), as the parameter views are", { skip }, () => {
    const buf = Float32Array.from({ length: 20 }, (_, i) => i);
    const A = buf.subarray(2, 6); // [[2, 3], [4, 5]]
    const B = buf.subarray(10, 14); // [[10, 11], [12, 13]]
    const C = new Float32Array(4);
    blas.gemm?.(false, false, 2, 2, 2, A, B, C);
    assert.deepEqual(Array.from(C), [2 * 10 + 3 * 12, 2 * 11 + 3 * 13, 4 * 10 + 5 * 12, 4 * 11 + 5 * 13]);
  });

  it("throws, naming the shapes, on arrays too short for M x N x K instead of reading past them", { skip }, () => {
    const A = new Float32Array(4);
    assert.throws(() => blas.gemm?.(false, false, 3, 2, 2, A, A, new Float32Array(6)), /arrays too short for M=3 N=2 K=2 \(A 4, B 4, C 6/);
  });

  it("throws on arguments that are not Float32Arrays", { skip }, () => {
    const A = new Float32Array(4);
    assert.throws(() => blas.gemm?.(false, false, 2, 2, 2, A, new Float64Array(4) as never, A), /must be Float32Arrays/);
  });

  it("loads and computes in a worker thread too (a Node-API addon), which the two-thread engine needs", { skip }, async () => {
    const code = `
      const { parentPort } = require("node:worker_threads");
      const b = require("cvae-lens-blas");
      const C = new Float32Array(4);
      b.sgemm(false, false, 2, 2, 2, new Float32Array([1, 2, 3, 4]), new Float32Array([5, 6, 7, 8]), C, 0);
      parentPort.postMessage(Array.from(C));`;
    const result = await new Promise((resolve, reject) => {
      const w = new Worker(code, { eval: true });
      w.once("message", resolve);
      w.once("error", reject);
    });
    assert.deepEqual(result, [19, 22, 43, 50]);
  });
});

describe("setBlasThreads(n) and blasInfo()", () => {
  it("sets OpenBLAS's threads per call and says so (unless OPENBLAS_NUM_THREADS is set)", { skip }, (t) => {
    if (process.env.OPENBLAS_NUM_THREADS) return t.skip("OPENBLAS_NUM_THREADS is set: the user's choice wins");
    const before = blasInfo();
    if (before.threads === null) return t.skip(`this BLAS (${before.library}) has no thread control`);
    assert.equal(setBlasThreads(1).threads, 1);
    assert.equal(blasInfo().threadsFrom, "cvae-lens");
    setBlasThreads(before.threads);
  });

  it("names the library the process linked", { skip }, () => {
    assert.match(blasInfo().library, /blas/);
  });

  it("rejects a thread count that is not a positive integer", { skip }, () => {
    assert.throws(() => setBlasThreads(0), /threads must be a positive integer, got 0/);
  });
});
