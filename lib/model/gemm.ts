// The one dense kernel the C-VAE needs: a row-major single-precision matrix product with
// transposes, and its providers. The forward pass (forward.ts) and the training step
// (backward.ts) are written once over it; the provider is the backend's (backend.ts's gemmFor):
//   - "blas": cblas_sgemm from the native binding (blas.ts);
//   - "tensorflow", "wasm", "cpu": tfjs's matMul on that backend (tfjsGemm);
//   - jsGemm: plain loops, the reference the others are tested against.
import { tfjs } from "./tfjs";

/** C = op(A) op(B) (+ C when `accumulate`); op(A) is M x K, op(B) K x N, all row-major. */
export type Gemm = (
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  A: Float32Array,
  B: Float32Array,
  C: Float32Array,
  accumulate?: boolean,
) => void;

/** The plain-JavaScript product: the reference of the tests (tiny shapes only: it is slow). */
export const jsGemm: Gemm = (transA, transB, M, N, K, A, B, C, accumulate = false) => {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (transA ? A[k * M + i] : A[i * K + k]) * (transB ? B[j * K + k] : B[k * N + j]);
      C[i * N + j] = accumulate ? C[i * N + j] + s : s;
    }
  }
};

/**
 * The product on tfjs's current backend: upload, matMul, download. Transposes are explicit
 * except on native TensorFlow (tfjs-wasm's transposed-matMul path is ~10x slower), and
 * A B^T with a large B is computed as (B A^T)^T, transposing the two smaller matrices
 * (dLogits W4^T: 92 against 125 ms at R = 250, m = 8,000 on wasm).
 */
export const tfjsGemm: Gemm = (transA, transB, M, N, K, A, B, C, accumulate = false) => {
  const tf = tfjs();
  const product = tf.tidy(() => {
    const a = tf.tensor2d(A.subarray(0, M * K), transA ? [K, M] : [M, K]);
    const b = tf.tensor2d(B.subarray(0, K * N), transB ? [N, K] : [K, N]);
    if (tf.getBackend() === "tensorflow") return tf.matMul(a, b, transA, transB);
    const opA = transA ? tf.transpose(a) : a;
    if (transB && !transA && M * K + M * N < N * K) return tf.transpose(tf.matMul(b, tf.transpose(a)));
    return tf.matMul(opA, transB ? tf.transpose(b) : b);
  });
  try {
    const values = product.dataSync() as Float32Array;
    if (accumulate) for (let i = 0; i < M * N; i++) C[i] += values[i];
    else C.set(values);
  } finally {
    product.dispose();
  }
};
