// Native BLAS through the optional `nblas` binding (N-API bindings of CBLAS, built by
// node-gyp against the system's -lblas: OpenBLAS on Debian, Accelerate on macOS). The
// binding is optional: where it cannot build (no compiler, no BLAS) `npm ci` skips it and
// loadBlas() says why, so the caller falls back to wasm.
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/** A row-major single-precision matrix product: C = op(A) op(B) (+ C when `accumulate`). */
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

interface NblasModule {
  NoTrans: number;
  Trans: number;
  sgemm(
    transa: number,
    transb: number,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    lda: number,
    b: Float32Array,
    ldb: number,
    beta: number,
    c: Float32Array,
    ldc: number,
  ): void;
}

export interface BlasInfo {
  /** The shared library the binding linked to (from the process's memory map), or "unknown". */
  library: string;
  /** Threads OpenBLAS uses per call (OPENBLAS_NUM_THREADS, else the cores). */
  threads: number;
}

// Every member names every field: tslab type-checks lib without strictNullChecks, where a
// discriminant alone does not narrow the union.
export type BlasLoad =
  { ok: true; gemm: Gemm; info: BlasInfo; reason?: undefined } | { ok: false; reason: string; gemm?: undefined; info?: undefined };

let loaded: BlasLoad | null = null;

/**
 * Loads the binding once per thread. `threads` sets OPENBLAS_NUM_THREADS unless the user set
 * it; it counts only before the library's first load in the process.
 */
export function loadBlas(options: { threads?: number } = {}): BlasLoad {
  if (loaded) return loaded;
  if (options.threads !== undefined && !process.env.OPENBLAS_NUM_THREADS) process.env.OPENBLAS_NUM_THREADS = String(options.threads);
  let nb: NblasModule;
  try {
    // A plain require: the binding is an optional dependency, absent where it could not build.
    nb = require("nblas") as NblasModule;
  } catch (err) {
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    loaded = { ok: false, reason: `the nblas binding did not load (${why}); install a compiler and libopenblas-dev, then npm ci` };
    return loaded;
  }
  const gemm: Gemm = (transA, transB, M, N, K, A, B, C, accumulate = false) => {
    nb.sgemm(
      transA ? nb.Trans : nb.NoTrans,
      transB ? nb.Trans : nb.NoTrans,
      M,
      N,
      K,
      1,
      A,
      transA ? M : K,
      B,
      transB ? K : N,
      accumulate ? 1 : 0,
      C,
      N,
    );
  };
  const envThreads = Number(process.env.OPENBLAS_NUM_THREADS);
  loaded = { ok: true, gemm, info: { library: linkedBlas(), threads: envThreads > 0 ? envThreads : availableParallelism() } };
  return loaded;
}

/** The BLAS shared library mapped into this process (Linux), e.g. .../openblas-pthread/libblas.so.3. */
function linkedBlas(): string {
  try {
    const maps = readFileSync("/proc/self/maps", "utf8");
    const hit = maps.split("\n").find((l) => /lib(open)?blas[^/]*\.so/.test(l));
    return hit ? hit.slice(hit.indexOf("/")) : "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * The same product in plain JavaScript: the reference the BLAS provider is tested against,
 * and what the tests use where the binding is missing (tiny shapes only: it is slow).
 */
export const jsGemm: Gemm = (transA, transB, M, N, K, A, B, C, accumulate = false) => {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (transA ? A[k * M + i] : A[i * K + k]) * (transB ? B[j * K + k] : B[k * N + j]);
      C[i * N + j] = accumulate ? C[i * N + j] + s : s;
    }
  }
};
