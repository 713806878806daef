// A trained model's scoring and encoding on the process's backend: on "webgpu" the weights go up
// once and every batch is scored (or encoded) on the GPU; elsewhere the model's own CPU methods
// run (forward.ts over BLAS or tfjs), so CPU results are the model's, bit for bit. Evaluation,
// latent extraction, context recovery and recommend open one scorer per model and close it after.
import { type SparseBatch, sliceBatch } from "./batch";
import { chosenBackend } from "./backend";
import type { CvaeModel } from "./cvae-model";
import { topKExcluding } from "./top-k";
import { openDevice, probeAdapter } from "./webgpu/device";
import { GpuCvae } from "./webgpu/gpu-cvae";

export interface ModelScorer {
  /** "webgpu", or "cpu" for the model's own methods. */
  readonly where: "webgpu" | "cpu";
  /** Logits, rows x m (CvaeModel.scores). */
  scores(batch: SparseBatch): Promise<Float32Array>;
  /** Top-k items per row, input items excluded (CvaeModel.rank). */
  rank(batch: SparseBatch, k: number): Promise<Int32Array>;
  /** Latent means under no condition, then each condition (CvaeModel.encodeUnderEveryCondition). */
  encodeUnderEveryCondition(batch: SparseBatch): Promise<Float32Array>;
  close(): Promise<void>;
}

/**
 * The most bytes one GPU pass holds per activation (logits, or the hidden layer of every condition's
 * copy): larger batches go up in slices of rows, so a caller's batch never has to fit one binding.
 */
export const GPU_SLICE_BYTES = 256 * 2 ** 20;

export interface ScorerOptions {
  /** Bytes per GPU slice (default GPU_SLICE_BYTES; tests pass a few KiB to cut a batch into many slices). */
  sliceBytes?: number;
}

/** A scorer for `model` on the backend this process chose (the GPU on webgpu, else the CPU). */
export async function openScorer(model: CvaeModel, options: ScorerOptions = {}): Promise<ModelScorer> {
  if (chosenBackend() !== "webgpu") return cpuScorer(model);
  const probe = await probeAdapter();
  if (!probe.ok) return cpuScorer(model);
  const gpu = await GpuCvae.create(await openDevice(), model.layout, "scoring");
  gpu.write(model.params);
  const { items: m, conditions: C, hidden: H, latentDim: L } = model.dims;
  const cap = Math.min(options.sliceBytes ?? GPU_SLICE_BYTES, gpu.gpu.device.limits.maxStorageBufferBindingSize);
  const scoreRows = Math.max(1, Math.floor(cap / (4 * Math.max(m, H))));
  const encodeRows = Math.max(1, Math.floor(cap / (4 * (C + 1) * Math.max(H, 2 * L))));
  return {
    where: "webgpu",
    scores: (batch) => inSlices(batch, scoreRows, m, L, (b) => gpu.scores(b)),
    rank: (batch, k) => inSlices(batch, scoreRows, k, L, async (b) => topKExcluding(await gpu.scores(b), b, m, k)),
    encodeUnderEveryCondition: (batch) => encodeInSlices(batch, encodeRows, C, L, (b) => gpu.encodeUnderEveryCondition(b)),
    close: async () => gpu.destroy(),
  };
}

/** Runs `use` with a scorer for `model`, closed (its GPU buffers released) however `use` ends. */
export async function withScorer<T>(model: CvaeModel, use: (scorer: ModelScorer) => Promise<T>): Promise<T> {
  const scorer = await openScorer(model);
  try {
    return await use(scorer);
  } finally {
    await scorer.close();
  }
}

function cpuScorer(model: CvaeModel): ModelScorer {
  return {
    where: "cpu",
    scores: async (batch) => model.scores(batch),
    rank: async (batch, k) => model.rank(batch, k),
    encodeUnderEveryCondition: async (batch) => model.encodeUnderEveryCondition(batch),
    close: async () => undefined,
  };
}

/** `run` over slices of at most `per` rows, each giving `width` values a row, concatenated. */
async function inSlices<T extends Float32Array | Int32Array>(
  batch: SparseBatch,
  per: number,
  width: number,
  latentDim: number,
  run: (b: SparseBatch) => Promise<T>,
): Promise<T> {
  if (batch.rows <= per) return run(batch);
  let out: T | null = null;
  for (let from = 0; from < batch.rows; from += per) {
    const to = Math.min(batch.rows, from + per);
    const part = await run(sliceBatch(batch, from, to, latentDim));
    out ??= new (part.constructor as new (n: number) => T)(batch.rows * width);
    out.set(part, from * width);
  }
  return out as T;
}

/** encodeUnderEveryCondition over slices of rows, put back in its layout: each condition's rows together, in row order. */
async function encodeInSlices(
  batch: SparseBatch,
  per: number,
  C: number,
  L: number,
  run: (b: SparseBatch) => Promise<Float32Array>,
): Promise<Float32Array> {
  const R = batch.rows;
  if (R <= per) return run(batch);
  const out = new Float32Array((C + 1) * R * L);
  for (let from = 0; from < R; from += per) {
    const to = Math.min(R, from + per);
    const part = await run(sliceBatch(batch, from, to, L));
    for (let c = 0; c <= C; c++) out.set(part.subarray(c * (to - from) * L, (c + 1) * (to - from) * L), (c * R + from) * L);
  }
  return out;
}
