// How many threads training uses, per backend: the engine's JS threads (engine.ts) and,
// on the BLAS backend, the library's threads per call, so the two multiply to the cores.
import { availableParallelism } from "node:os";

/** Backends as named in backend.ts (repeated here so this module imports nothing). */
type Backend = "webgpu" | "tensorflow" | "blas" | "wasm" | "cpu";

/**
 * Training threads for a backend: native TensorFlow threads by itself; wasm and BLAS get
 * 2 when there are 2 cores or more (each training thread runs its rows' share of the step);
 * webgpu 1 (the GPU does the step; the thread builds batches and submits).
 */
export function autoThreads(backend: Backend, cores = availableParallelism()): number {
  return backend === "wasm" || backend === "blas" ? Math.min(2, cores) : 1;
}

/** BLAS threads per call when `trainingThreads` call BLAS at once: the cores shared out, at least 1. */
export function blasThreadsPerCall(trainingThreads: number, cores = availableParallelism()): number {
  if (!Number.isInteger(trainingThreads) || trainingThreads < 1)
    throw new RangeError(`trainingThreads must be a positive integer, got ${trainingThreads}`);
  return Math.max(1, Math.floor(cores / trainingThreads));
}
