// Runs training steps and scoring on one or more threads. Parameters, Adam moments and
// per-thread gradients live in SharedArrayBuffers; thread 0 is this thread and the others
// are worker_threads, each with its own TensorFlow.js instance. A batch is split by rows,
// each thread computes its rows' share of the mean gradient, and Adam then updates disjoint
// slices of the parameters in parallel, summing the gradients in a fixed order (so a run
// is deterministic for a given seed, backend and thread count).
// Why: tfjs-wasm runs single-threaded in Node; two threads nearly halve a step.
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { type BackendName, initBackend } from "./backend";
import { sliceBatch, type SparseBatch } from "./batch";
import { type AdamState, adamUpdate, type ParamLayout } from "./parameters";
import { computeGradients, scoreBatch, type StepLoss } from "./backward";
import { topKExcluding } from "../analysis/ranking";

export interface EngineBuffers {
  params: Float32Array;
  adam: AdamState;
}

/** Threads to use for a backend: native TensorFlow threads by itself; wasm gets 2 when there are 2 cores. */
export function autoThreads(backend: BackendName): number {
  return backend === "wasm" ? Math.min(2, availableParallelism()) : 1;
}

type Reply = { type: "ok"; value?: unknown } | { type: "error"; message: string; stack?: string };

class WorkerThread {
  private pending: { resolve: (v: unknown) => void; reject: (e: Error) => void } | null = null;
  private failed: Error | null = null;
  constructor(readonly worker: Worker) {
    worker.on("message", (msg: Reply) => {
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
  call(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.pending) return Promise.reject(new Error("engine worker: one request at a time"));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(message, transfer);
    });
  }
}

function transferables(b: SparseBatch): ArrayBuffer[] {
  const arrays = [b.inPtr, b.inItems, b.inValues, b.cond, b.tgtPtr, b.tgtItems, ...(b.eps ? [b.eps] : [])];
  return arrays.map((a) => a.buffer as ArrayBuffer);
}

export class GradientEngine {
  private closed = false;
  /** When set, thread 0 adds its per-phase milliseconds here (benchmarks). */
  profile: Record<string, number> | null = null;

  private constructor(
    readonly layout: ParamLayout,
    readonly buffers: EngineBuffers,
    /** One gradient buffer per thread (index 0 = this thread). */
    private readonly grads: Float32Array[],
    private readonly workers: WorkerThread[],
  ) {}

  get threads(): number {
    return this.workers.length + 1;
  }

  /** Starts `threads - 1` workers on `backend`. Buffers must be shared when threads > 1. */
  static async create(layout: ParamLayout, buffers: EngineBuffers, threads: number, backend: BackendName): Promise<GradientEngine> {
    if (!Number.isInteger(threads) || threads < 1 || threads > 2) throw new RangeError(`engine: threads must be 1 or 2, got ${threads}`);
    const shared = (a: Float32Array) => a.buffer instanceof SharedArrayBuffer;
    if (threads > 1 && !(shared(buffers.params) && shared(buffers.adam.m) && shared(buffers.adam.v))) {
      throw new Error("engine: parameters and Adam moments must be in SharedArrayBuffers to use worker threads");
    }
    const grads = Array.from({ length: threads }, () => (threads > 1 ? new Float32Array(new SharedArrayBuffer(layout.size * 4)) : new Float32Array(layout.size)));
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
    return new GradientEngine(layout, buffers, grads, workers);
  }

  /** One optimiser update on `batch`: gradients of the mean loss, then Adam. Returns the loss sums. */
  async step(batch: SparseBatch, beta: number, lr: number): Promise<StepLoss> {
    this.assertOpen();
    const { layout, buffers } = this;
    const T = this.threads;
    const scale = 1 / batch.rows;
    const cuts = Array.from({ length: T + 1 }, (_, k) => Math.round((k * batch.rows) / T));
    const remote = this.workers.map((w, i) => {
      const part = sliceBatch(batch, cuts[i + 1], cuts[i + 2], layout.dims.latent);
      return w.call({ type: "grad", batch: part, beta, scale }, transferables(part)) as Promise<StepLoss>;
    });
    const local = this.localGrad(T > 1 ? sliceBatch(batch, cuts[0], cuts[1], layout.dims.latent) : batch, beta, scale);
    const parts = [local, ...(await Promise.all(remote))];
    const step = buffers.adam.step + 1;
    const slices = Array.from({ length: T + 1 }, (_, k) => Math.round((k * layout.size) / T));
    const updates = this.workers.map((w, i) => w.call({ type: "adam", from: slices[i + 1], to: slices[i + 2], step, lr }));
    const tAdam = performance.now();
    adamUpdate(buffers.params, this.grads, buffers.adam, lr, step, slices[0], slices[1]);
    if (this.profile) this.profile["Adam (this thread's slice)"] = (this.profile["Adam (this thread's slice)"] ?? 0) + performance.now() - tAdam;
    await Promise.all(updates);
    buffers.adam.step = step;
    return parts.reduce((a, b) => ({ nllSum: a.nllSum + b.nllSum, klSum: a.klSum + b.klSum, rows: a.rows + b.rows }));
  }

  /** Top-k items per row (fold-in items of the batch excluded), rows x k, best first. */
  async rank(batch: SparseBatch, k: number): Promise<Int32Array> {
    this.assertOpen();
    const T = this.threads;
    const cuts = Array.from({ length: T + 1 }, (_, i) => Math.round((i * batch.rows) / T));
    const remote = this.workers.map((w, i) => {
      const part = sliceBatch(batch, cuts[i + 1], cuts[i + 2], 0);
      return w.call({ type: "rank", batch: part, k }, transferables(part)) as Promise<Int32Array>;
    });
    const first = sliceBatch(batch, cuts[0], cuts[1], 0);
    const local = topKExcluding(scoreBatch(this.buffers.params, this.layout, first), first, this.layout.dims.items, k);
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

  private localGrad(batch: SparseBatch, beta: number, scale: number): StepLoss {
    const g = this.grads[0];
    const e = this.layout.entries;
    g.fill(0, e.W1.offset, e.b1.offset + e.b1.cols); // the input layer's gradient is accumulated
    return computeGradients(this.buffers.params, this.layout, batch, beta, scale, g, this.profile ?? undefined);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("engine: already closed");
  }
}

/** The worker side: the same computations on shared buffers. Called from engine-worker.cjs. */
export function serveEngineWorker(port: import("node:worker_threads").MessagePort): void {
  let state: { layout: ParamLayout; params: Float32Array; adam: AdamState; grads: Float32Array[]; index: number } | null = null;
  port.on("message", (msg: Record<string, unknown>) => {
    void (async () => {
      try {
        let value: unknown;
        switch (msg.type) {
          case "init": {
            await initBackend({ backend: msg.backend as BackendName, log: false });
            state = {
              layout: msg.layout as ParamLayout,
              params: msg.params as Float32Array,
              adam: { m: msg.m as Float32Array, v: msg.v as Float32Array, step: 0 },
              grads: msg.grads as Float32Array[],
              index: msg.index as number,
            };
            break;
          }
          case "grad": {
            const s = need(state);
            const g = s.grads[s.index];
            const e = s.layout.entries;
            g.fill(0, e.W1.offset, e.b1.offset + e.b1.cols);
            value = computeGradients(s.params, s.layout, msg.batch as SparseBatch, msg.beta as number, msg.scale as number, g);
            break;
          }
          case "adam": {
            const s = need(state);
            adamUpdate(s.params, s.grads, s.adam, msg.lr as number, msg.step as number, msg.from as number, msg.to as number);
            break;
          }
          case "rank": {
            const s = need(state);
            const b = msg.batch as SparseBatch;
            value = topKExcluding(scoreBatch(s.params, s.layout, b), b, s.layout.dims.items, msg.k as number);
            break;
          }
          default:
            throw new Error(`unknown message type ${String(msg.type)}`);
        }
        port.postMessage({ type: "ok", value });
      } catch (err) {
        port.postMessage({ type: "error", message: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined });
      }
    })();
  });
}

function need<T>(s: T | null): T {
  if (!s) throw new Error("engine worker used before init");
  return s;
}
