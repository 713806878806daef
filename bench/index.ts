// Benchmark suites run by `npm run bench -- <suite>` (all suites when none is named).
import { benchMatmul } from "./matmul";

export interface BenchSuite {
  summary: string;
  run(args: string[]): Promise<void>;
}

export const SUITES: Record<string, BenchSuite> = {
  matmul: { summary: "matMul GFLOPS of the chosen backend at the model's shapes", run: () => benchMatmul() },
};
