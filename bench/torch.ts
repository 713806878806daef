// The PyTorch reference (../shared/peer/cvae_torch.py, a developer tool next to the checkout)
// for the benchmarks that put cvae-lens beside it; absent, they time cvae-lens only.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { projectRoot } from "../lib/core/paths";
import { fmtMs } from "./stats";

const PYTHON = process.env.CVAE_BENCH_PYTHON ?? "/usr/bin/python3";
// The user's own setting, read before the BLAS backend sets it for this process: PyTorch gets its own default.
const USER_OPENBLAS_THREADS = process.env.OPENBLAS_NUM_THREADS;

/** The PyTorch reference script, if this checkout sits next to it (or CVAE_TORCH_REFERENCE names it). */
export function torchReference(): string | null {
  const candidates = [process.env.CVAE_TORCH_REFERENCE, resolve(projectRoot(), "..", "shared", "peer", "cvae_torch.py")].filter(
    (p): p is string => Boolean(p),
  );
  const script = candidates.find((p) => existsSync(p));
  if (!script) return null;
  return spawnSync(PYTHON, ["-c", "import torch, scipy, pandas"]).status === 0 ? script : null;
}

/** Runs the reference with its default threads and returns its last JSON line. */
export function runTorch(script: string, args: string[]): Record<string, unknown> {
  const env = { ...process.env };
  if (USER_OPENBLAS_THREADS === undefined) delete env.OPENBLAS_NUM_THREADS;
  else env.OPENBLAS_NUM_THREADS = USER_OPENBLAS_THREADS;
  const r = spawnSync(PYTHON, [script, ...args], { encoding: "utf8", maxBuffer: 1 << 26, env });
  if (r.status !== 0) throw new Error(`PyTorch reference failed: ${r.stderr.slice(-1500)}`);
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as Record<string, unknown>;
}

/** PyTorch's median step time (ms) at m items, batch 500, printed with its thread counts. */
export function torchStepMs(script: string, m: number): number {
  const t = runTorch(script, ["--bench-step", `${m},500`]);
  const ms = (t.bench_step as { ms_per_step_median: number }).ms_per_step_median;
  const threads = t.threads as Record<string, unknown> | undefined;
  console.log(`  PyTorch (${JSON.stringify(threads ?? {})}): ${fmtMs(ms)} per step`);
  return ms;
}
