// The training engine of a backend: the GPU's for "webgpu", else the CPU threads' (engine.ts).
import type { BackendName } from "./backend";
import { GradientEngine, type TrainingEngine } from "./engine";
import type { ParamLayout } from "./parameters";
import { WebGpuEngine } from "./webgpu/engine";

/** Allocates the parameters and Adam state (zeroed) of `layout` on `backend`; fill `buffers`, then load(). */
export function createTrainingEngine(layout: ParamLayout, threads: number, backend: BackendName): Promise<TrainingEngine> {
  if (backend === "webgpu") return WebGpuEngine.create(layout);
  return GradientEngine.create(layout, threads, backend);
}
