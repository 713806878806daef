// Runs training steps and ranking on one or more threads. The engine owns the parameters,
// Adam moments and per-thread gradients; with more than one thread they live in
// SharedArrayBuffers. Thread 0 is this thread and the others are worker_threads, each with
// its own TensorFlow.js instance. A batch is split by rows, each thread computes its rows'
// share of the mean gradient, and Adam then updates disjoint slices of the parameters in
// parallel, summing the gradients in a fixed order (so a run is deterministic for a given
// seed, backend and thread count).
// Why: tfjs-wasm runs single-threaded in Node, and on BLAS the softmax, the sparse layer
// and Adam are JS; two threads nearly halve a step.
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { type AdamState, adamUpdate } from "./adam";
import { type BackendName, gemmFor, initBackend } from "./backend";
import { computeGradients, type StepLoss, type StepProfile } from "./backward";
import { sliceBatch, type SparseBatch } from "./batch";
import { setBlasThreads } from "./blas";
import { scoreBatch } from "./forward";
import { allocate, type ParamLayout } from "./parameters";
import { blasThreadsPerCall } from "./threads";
import { topKExcluding } from "./top-k";

export interface EngineBuffers {
  params: Float32Array;
  adam: AdamState;
}

/**
 * What training asks of an engine, whatever computes the step: GradientEngine here (CPU threads,
 * the buffers are the weights) or WebGpuEngine (webgpu/engine.ts: the weights live on the GPU and
 * `buffers` is the host copy, current after sync()).
 */
export interface TrainingEngine {
  readonly layout: ParamLayout;
  /** Threads the step runs on (1 on a GPU). */
  readonly threads: number;
  readonly buffers: EngineBuffers;
  /** When set, per-phase milliseconds are added here (benchmarks; CPU engines only). */
  profile: StepProfile | null;
  /**
   * One optimiser update on `batch`. Returns loss sums of the steps that have finished since the
   * last call: this step's on the CPU, earlier steps' on a GPU (their losses are read a few steps late).
   */
  step(batch: SparseBatch, beta: number, lr: number): Promise<StepLoss>;
  /** The loss sums of every step not yet returned by step() (waits for them). */
  flush(): Promise<StepLoss>;
  /** Top-k items per row (fold-in items of the batch excluded), rows x k, best first. */
  rank(batch: SparseBatch, k: number): Promise<Int32Array>;
  /** After `buffers` were written (fresh weights, a resumed run): makes the engine compute from them. */
  load(): void;
  /** Brings `buffers` up to date with the weights and Adam moments the engine computes on. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The step and the scoring a backend runs: the one step of backward.ts over the backend's Gemm. */
export interface StepKernels {
  gradients(
    params: Float32Array,
    layout: ParamLayout,
    batch: SparseBatch,
    beta: number,
    scale: number,
    grads: Float32Array,
    timings?: StepProfile,
  ): StepLoss;
  scores(params: Float32Array, layout: ParamLayout, batch: SparseBatch): Float32Array;
}

export function stepKernels(backend: BackendName): StepKernels {
  const gemm = gemmFor(backend);
  return {
    gradients: (params, layout, batch, beta, scale, grads, timings) =>
      computeGradients(gemm, params, layout, batch, beta, scale, grads, timings),
    scores: (params, layout, batch) => scoreBatch(gemm, params, layout, batch),
  };
}

/** What this thread asks a worker, and what each request answers. */
export type WorkerRequest =
  | {
      type: "init";
      index: number;
      backend: BackendName;
      layout: ParamLayout;
      params: Float32Array;
      m: Float32Array;
      v: Float32Array;
      grads: Float32Array[];
    }
  | { type: "grad"; batch: SparseBatch; beta: number; scale: number }
  | { type: "adam"; from: number; to: number; step: number; lr: number }
  | { type: "rank"; batch: SparseBatch; k: number };

interface ReplyValues {
  init: undefined;
  grad: StepLoss;
  adam: undefined;
  rank: Int32Array;
}

export type WorkerReply = { type: "ok"; value?: ReplyValues[WorkerRequest["type"]] } | { type: "error"; message: string; stack?: string };

class WorkerThread {
  private pending: { resolve: (v: unknown) => void; reject: (e: Error) => void } | null = null;
  private failed: Error | null = null;
  constructor(readonly worker: Worker) {
    worker.on("message", (msg: WorkerReply) => {
      const p = this.pending;
      this.pending = null;
      if (!p) return;
      if (msg.type === "ok") p.resolve(msg.value);
      else {
        const err = new Error(`engine worker: ${msg.message}`);
        if (msg.stack) err.stack = msg.stack;
        p.reject(err);
      }
    });
    worker.on("error", (err) => this.fail(err));
    worker.on("exit", (code) => this.fail(new Error(`engine worker exited with code ${code}`)));
  }
  private fail(err: Error): void {
    this.failed = err;
    const p = this.pending;
    this.pending = null;
    p?.reject(err);
  }
  call<R extends WorkerRequest>(message: R, transfer: ArrayBuffer[] = []): Promise<ReplyValues[R["type"]]> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.pending) return Promise.reject(new Error("engine worker: one request at a time"));
    return new Promise((resolve, reject) => {
      this.pending = { resolve: resolve as (v: unknown) => void, reject };
      this.worker.postMessage(message, transfer);
    });
  }
}

function transferables(b: SparseBatch): ArrayBuffer[] {
  const arrays = [b.inPtr, b.inItems, b.inValues, b.cond, b.tgtPtr, b.tgtItems, ...(b.eps ? [b.eps] : [])];
  return arrays.map((a) => a.buffer as ArrayBuffer);
}

/** Even cut points 0 = c_0 <= ... <= c_parts = n. */
function cuts(n: number, parts: number): number[] {
  return Array.from({ length: parts + 1 }, (_, k) => Math.round((k * n) / parts));
}

export class GradientEngine implements TrainingEngine {
  private closed = false;
  /** When set, thread 0 adds its per-phase milliseconds here (benchmarks). */
  profile: StepProfile | null = null;

  private constructor(
    readonly layout: ParamLayout,
    /** The parameters and Adam state the engine trains (fill `params` before the first step). */
    readonly buffers: EngineBuffers,
    /** One gradient buffer per thread (index 0 = this thread). */
    private readonly grads: Float32Array[],
    private readonly workers: WorkerThread[],
    private readonly kernels: StepKernels,
  ) {}

  get threads(): number {
    return this.workers.length + 1;
  }

  /** Allocates zeroed parameters and Adam state and starts `threads - 1` workers on `backend`. */
  static async create(layout: ParamLayout, threads: number, backend: BackendName): Promise<GradientEngine> {
    if (!Number.isInteger(threads) || threads < 1 || threads > 2) throw new RangeError(`engine: threads must be 1 or 2, got ${threads}`);
    // The kernels first: a missing binding fails here, before any worker starts.
    const kernels = stepKernels(backend);
    // OpenBLAS's threads are process-wide: share the cores out between the training threads.
    if (backend === "blas") setBlasThreads(blasThreadsPerCall(threads));
    const shared = threads > 1;
    const buffers: EngineBuffers = {
      params: allocate(layout.size, shared),
      adam: { m: allocate(layout.size, shared), v: allocate(layout.size, shared), step: 0 },
    };
    const grads = Array.from({ length: threads }, () => allocate(layout.size, shared));
    const workers: WorkerThread[] = [];
    try {
      for (let k = 1; k < threads; k++) {
        const w = new WorkerThread(new Worker(join(__dirname, "engine-worker.cjs"), { env: process.env }));
        workers.push(w);
        await w.call({ type: "init", index: k, backend, layout, params: buffers.params, m: buffers.adam.m, v: buffers.adam.v, grads });
      }
    } catch (err) {
      await Promise.all(workers.map((w) => w.worker.terminate()));
      throw err;
    }
    return new GradientEngine(layout, buffers, grads, workers, kernels);
  }

  /** One optimiser update on `batch`: gradients of the mean loss, then Adam. Returns the loss sums. */
  async step(batch: SparseBatch, beta: number, lr: number): Promise<StepLoss> {
    this.assertOpen();
    const { layout, buffers } = this;
    const T = this.threads;
    const scale = 1 / batch.rows;
    const rows = cuts(batch.rows, T);
    const remote = this.workers.map((w, i) => {
      const part = sliceBatch(batch, rows[i + 1], rows[i + 2], layout.dims.latentDim);
      return w.call({ type: "grad", batch: part, beta, scale }, transferables(part));
    });
    const first = T > 1 ? sliceBatch(batch, rows[0], rows[1], layout.dims.latentDim) : batch;
    const local = this.kernels.gradients(buffers.params, layout, first, beta, scale, this.grads[0], this.profile ?? undefined);
    const parts = [local, ...(await Promise.all(remote))];
    const step = buffers.adam.step + 1;
    const slices = cuts(layout.size, T);
    const updates = this.workers.map((w, i) => w.call({ type: "adam", from: slices[i + 1], to: slices[i + 2], step, lr }));
    const tAdam = performance.now();
    adamUpdate(buffers.params, this.grads, buffers.adam, lr, step, slices[0], slices[1]);
    if (this.profile)
      this.profile["Adam (this thread's slice)"] = (this.profile["Adam (this thread's slice)"] ?? 0) + performance.now() - tAdam;
    await Promise.all(updates);
    buffers.adam.step = step;
    return parts.reduce((a, b) => ({ nllSum: a.nllSum + b.nllSum, klSum: a.klSum + b.klSum, rows: a.rows + b.rows }));
  }

  /** Every step's loss is returned by step() itself. */
  async flush(): Promise<StepLoss> {
    return { nllSum: 0, klSum: 0, rows: 0 };
  }

  /** The buffers are the weights the threads compute on: nothing to copy. */
  load(): void {}

  async sync(): Promise<void> {}

  /** Top-k items per row (fold-in items of the batch excluded), rows x k, best first. */
  async rank(batch: SparseBatch, k: number): Promise<Int32Array> {
    this.assertOpen();
    const rows = cuts(batch.rows, this.threads);
    const remote = this.workers.map((w, i) => {
      const part = sliceBatch(batch, rows[i + 1], rows[i + 2], 0);
      return w.call({ type: "rank", batch: part, k }, transferables(part));
    });
    const first = sliceBatch(batch, rows[0], rows[1], 0);
    const local = topKExcluding(this.kernels.scores(this.buffers.params, this.layout, first), first, this.layout.dims.items, k);
    const parts = [local, ...(await Promise.all(remote))];
    const out = new Int32Array(batch.rows * k);
    let offset = 0;
    for (const p of parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("engine: already closed");
  }
}

/** The worker side: the same computations on shared buffers. Called from engine-worker.cjs. */
export function serveEngineWorker(port: import("node:worker_threads").MessagePort): void {
  let state: {
    layout: ParamLayout;
    params: Float32Array;
    adam: AdamState;
    grads: Float32Array[];
    index: number;
    kernels: StepKernels;
  } | null = null;
  const need = () => {
    if (!state) throw new Error("engine worker used before init");
    return state;
  };
  const handle = async (msg: WorkerRequest): Promise<ReplyValues[WorkerRequest["type"]]> => {
    switch (msg.type) {
      case "init":
        await initBackend({ backend: msg.backend, log: false });
        state = {
          layout: msg.layout,
          params: msg.params,
          adam: { m: msg.m, v: msg.v, step: 0 },
          grads: msg.grads,
          index: msg.index,
          kernels: stepKernels(msg.backend),
        };
        return undefined;
      case "grad": {
        const s = need();
        return s.kernels.gradients(s.params, s.layout, msg.batch, msg.beta, msg.scale, s.grads[s.index]);
      }
      case "adam": {
        const s = need();
        adamUpdate(s.params, s.grads, s.adam, msg.lr, msg.step, msg.from, msg.to);
        return undefined;
      }
      case "rank": {
        const s = need();
        return topKExcluding(s.kernels.scores(s.params, s.layout, msg.batch), msg.batch, s.layout.dims.items, msg.k);
      }
      default:
        throw new Error(`unknown message type ${String((msg as { type: unknown }).type)}`);
    }
  };
  port.on("message", (msg: WorkerRequest) => {
    handle(msg).then(
      (value) => port.postMessage({ type: "ok", value } satisfies WorkerReply),
      (err: unknown) =>
        port.postMessage({
          type: "error",
          message: err instanceof Error ? err.message : String(err),
          stack: err instanceof Error ? err.stack : undefined,
        } satisfies WorkerReply),
    );
  });
}
