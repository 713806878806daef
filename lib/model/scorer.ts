// A trained model's scoring and encoding on the process's backend: on "webgpu" the weights go up
// once and every batch is scored (or encoded) on the GPU; elsewhere the model's own CPU methods
// run (forward.ts over BLAS or tfjs). Evaluation opens one scorer per model and closes it after.
import type { SparseBatch } from "./batch";
import { chosenBackend } from "./backend";
import type { CvaeModel } from "./cvae-model";
import { topKExcluding } from "./top-k";
import { openDevice, probeAdapter } from "./webgpu/device";
import { GpuCvae } from "./webgpu/gpu-cvae";

export interface ModelScorer {
  /** "webgpu", or "cpu" for the model's own methods. */
  readonly where: "webgpu" | "cpu";
  /** Top-k items per row, input items excluded (CvaeModel.rank). */
  rank(batch: SparseBatch, k: number): Promise<Int32Array>;
  /** Latent means under no condition, then each condition (CvaeModel.encodeUnderEveryCondition). */
  encodeUnderEveryCondition(batch: SparseBatch): Promise<Float32Array>;
  close(): Promise<void>;
}

/** A scorer for `model` on the backend this process chose (the GPU on webgpu, else the CPU). */
export async function openScorer(model: CvaeModel): Promise<ModelScorer> {
  if (chosenBackend() !== "webgpu") return cpuScorer(model);
  const probe = await probeAdapter();
  if (!probe.ok) return cpuScorer(model);
  const gpu = await GpuCvae.create(await openDevice(), model.layout, "scoring");
  gpu.write(model.params);
  const m = model.dims.items;
  return {
    where: "webgpu",
    rank: async (batch, k) => topKExcluding(await gpu.scores(batch), batch, m, k),
    encodeUnderEveryCondition: (batch) => gpu.encodeUnderEveryCondition(batch),
    close: async () => gpu.destroy(),
  };
}

function cpuScorer(model: CvaeModel): ModelScorer {
  return {
    where: "cpu",
    rank: async (batch, k) => model.rank(batch, k),
    encodeUnderEveryCondition: async (batch) => model.encodeUnderEveryCondition(batch),
    close: async () => undefined,
  };
}
