// Benchmark suites run by `npm run bench -- <suite>` (all suites when none is named).
import { benchMatmul } from "./matmul";
import { benchPreprocess } from "./preprocess";

export interface BenchSuite {
  summary: string;
  run(args: string[]): Promise<void>;
}

export const SUITES: Record<string, BenchSuite> = {
  matmul: { summary: "matMul GFLOPS of the chosen backend at the model's shapes", run: () => benchMatmul() },
  preprocess: { summary: "preprocessing at ML-20M size against pandas: [preset] [repeats]", run: (args) => benchPreprocess(args) },
};
