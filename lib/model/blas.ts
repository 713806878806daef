// Native BLAS through the optional `cvae-lens-blas` binding (native/cvae-lens-blas: a
// Node-API binding of cblas_sgemm, built by node-gyp against the system's BLAS: OpenBLAS on
// Debian/Ubuntu, Accelerate on macOS). Node-API addons load in worker threads, so each
// training thread calls BLAS itself. The binding is optional: where it cannot build (no
// compiler, no BLAS) `npm ci` skips it and loadBlas() says why, so the caller falls back.
import { readFileSync } from "node:fs";
import type { Gemm } from "./gemm";

/** What native/cvae-lens-blas/sgemm.c exports. */
interface BindingModule {
  sgemm(
    transA: boolean,
    transB: boolean,
    M: number,
    N: number,
    K: number,
    A: Float32Array,
    B: Float32Array,
    C: Float32Array,
    beta: number,
  ): void;
  /** OpenBLAS's openblas_set_num_threads; false where the library has no such control. */
  setThreads(n: number): boolean;
  info(): { threads: number | null; config: string | null };
}

export interface BlasInfo {
  /** The shared library the binding linked to (from the process's memory map), or "unknown". */
  library: string;
  /** The library's build line (OpenBLAS: version, kernel, MAX_THREADS), or null where it does not say. */
  build: string | null;
  /** Threads the library uses per call now (null where it does not say). */
  threads: number | null;
  /** Who set `threads`: the user's OPENBLAS_NUM_THREADS, this project (setBlasThreads), or the library's default. */
  threadsFrom: "OPENBLAS_NUM_THREADS" | "cvae-lens" | "library default";
}

// Every member names every field: tslab type-checks lib without strictNullChecks, where a
// discriminant alone does not narrow the union.
export type BlasLoad = { ok: true; gemm: Gemm; reason?: undefined } | { ok: false; reason: string; gemm?: undefined };

let binding: BindingModule | null = null;
let loaded: BlasLoad | null = null;
let threadsFrom: BlasInfo["threadsFrom"] = "library default";

/** Loads the binding once per thread; `reason` says why it did not load. */
export function loadBlas(): BlasLoad {
  if (loaded) return loaded;
  try {
    // A plain require: the binding is an optional dependency, absent where it could not build.
    binding = require("cvae-lens-blas") as BindingModule;
  } catch (err) {
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    loaded = { ok: false, reason: `the cvae-lens-blas binding did not load (${why}); install a compiler and libopenblas-dev, then npm ci` };
    return loaded;
  }
  if (process.env.OPENBLAS_NUM_THREADS) threadsFrom = "OPENBLAS_NUM_THREADS";
  const nb = binding;
  const gemm: Gemm = (transA, transB, M, N, K, A, B, C, accumulate = false) =>
    nb.sgemm(transA, transB, M, N, K, A, B, C, accumulate ? 1 : 0);
  loaded = { ok: true, gemm };
  return loaded;
}

/**
 * Sets the BLAS threads per call (process-wide in OpenBLAS), unless the user fixed them
 * with OPENBLAS_NUM_THREADS. Returns the library's description afterwards.
 */
export function setBlasThreads(threads: number): BlasInfo {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`setBlasThreads: threads must be a positive integer, got ${threads}`);
  const load = loadBlas();
  if (!load.ok) throw new Error(`setBlasThreads: ${load.reason}`);
  if (!process.env.OPENBLAS_NUM_THREADS && binding?.setThreads(threads)) threadsFrom = "cvae-lens";
  return blasInfo();
}

/** The loaded library, its build and its threads per call. */
export function blasInfo(): BlasInfo {
  const load = loadBlas();
  if (!load.ok || !binding) throw new Error(`blasInfo: ${load.reason}`);
  const { threads, config } = binding.info();
  return { library: linkedBlas(), build: config, threads, threadsFrom };
}

/** The BLAS shared library mapped into this process (Linux), e.g. .../libopenblasp-r0.3.21.so. */
function linkedBlas(): string {
  try {
    const maps = readFileSync("/proc/self/maps", "utf8");
    const hit = maps.split("\n").find((l) => /lib(open)?blas[^/]*\.so/.test(l));
    return hit ? hit.slice(hit.indexOf("/")) : "unknown";
  } catch {
    return "unknown";
  }
}
