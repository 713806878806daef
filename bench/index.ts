// Benchmark suites run by `npm run bench -- <suite>` (all suites when none is named).
import { benchAccuracy } from "./accuracy";
import { benchBackends } from "./backends";
import { benchExplore } from "./explore";
import { benchGpu } from "./gpu";
import { benchMatmul } from "./matmul";
import { benchPreprocess } from "./preprocess";
import { benchScale } from "./scale";
import { benchStartup } from "./startup";
import { benchTrain } from "./train";

export interface BenchSuite {
  summary: string;
  run(args: string[]): Promise<void>;
}

export const SUITES: Record<string, BenchSuite> = {
  matmul: { summary: "matMul GFLOPS of the chosen backend at the model's shapes", run: () => benchMatmul() },
  train: { summary: "training step at m=8000 and a real epoch, against PyTorch: [repeats]", run: (args) => benchTrain(args) },
  explore: {
    summary: "latent extraction of 2,000 users x 21 conditions (goal <= 5 s), PCA and claims: [users] [repeats]",
    run: (args) => benchExplore(args),
  },
  accuracy: {
    summary: "test nDCG@100 of cvae-lens vs the PyTorch reference, same split and settings: [data] [epochs]",
    run: (args) => benchAccuracy(args),
  },
  backends: {
    summary:
      "test nDCG@100 per backend (wasm, blas) over seeds: is BLAS inside wasm's seed spread, are seeded runs repeatable: [seeds] [epochs]",
    run: (args) => benchBackends(args),
  },
  scale: {
    summary:
      "training at ML-20M size (synthetic-20m), full and balanced sampler: projected epoch, 100 epochs, peak RSS: [batches] [preset]",
    run: (args) => benchScale(args),
  },
  startup: {
    summary: "how fast `cvae --help`, `cvae data prepare --help` and others answer (goal <= 0.3 s), what each loads: [repeats]",
    run: (args) => benchStartup(args),
  },
  preprocess: { summary: "preprocessing at ML-20M size against pandas: [preset] [repeats]", run: (args) => benchPreprocess(args) },
  gpu: {
    summary:
      "webgpu: the adapter, correctness smokes; on a hardware one the step at m=8000/20000/26744 and a synthetic-20m epoch " +
      "beside PyTorch CUDA, latent extraction (2,000 users) and evaluation (10,000 users) beside the CPU: [--quick] [--help]",
    run: (args) => benchGpu(args),
  },
};
