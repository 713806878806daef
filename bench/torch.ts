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

function torchEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (USER_OPENBLAS_THREADS === undefined) delete env.OPENBLAS_NUM_THREADS;
  else env.OPENBLAS_NUM_THREADS = USER_OPENBLAS_THREADS;
  return env;
}

/** Runs the reference with its default threads and returns its last JSON line. */
export function runTorch(script: string, args: string[]): Record<string, unknown> {
  const r = spawnSync(PYTHON, [script, ...args], { encoding: "utf8", maxBuffer: 1 << 26, env: torchEnv() });
  if (r.status !== 0) throw new Error(`PyTorch reference failed: ${r.stderr.slice(-1500)}`);
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as Record<string, unknown>;
}

/**
 * Runs the reference for at most `capSeconds` (then it is stopped) and returns what it printed;
 * `finished` is false when the cap stopped it. For runs whose progress lines are enough.
 */
export function runTorchCapped(script: string, args: string[], capSeconds: number): { stdout: string; finished: boolean; stderr: string } {
  const r = spawnSync(PYTHON, [script, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
    env: torchEnv(),
    timeout: capSeconds * 1000,
    killSignal: "SIGKILL",
  });
  const finished = r.status === 0;
  if (!finished && r.signal === null) throw new Error(`PyTorch reference failed: ${(r.stderr ?? "").slice(-1500)}`);
  return { stdout: r.stdout ?? "", stderr: r.stderr ?? "", finished };
}

/** PyTorch's version and CUDA device name when `python3` (CVAE_BENCH_PYTHON) has torch with CUDA, else null. */
export function torchCuda(): { torch: string; device: string } | null {
  const code = "import torch; assert torch.cuda.is_available(); print(torch.__version__); print(torch.cuda.get_device_name(0))";
  const r = spawnSync(PYTHON, ["-c", code], { encoding: "utf8", env: torchEnv() });
  if (r.status !== 0) return null;
  const [torch = "?", device = "?"] = r.stdout.trim().split("\n");
  return { torch, device };
}

/** PyTorch's median step time (ms) at m items, batch 500, printed with its thread counts (`extra`: e.g. --device cuda). */
export function torchStepMs(script: string, m: number, extra: string[] = []): number {
  const t = runTorch(script, ["--bench-step", `${m},500`, ...extra]);
  const ms = (t.bench_step as { ms_per_step_median: number }).ms_per_step_median;
  const threads = t.threads as Record<string, unknown> | undefined;
  console.log(`  PyTorch (${JSON.stringify(threads ?? {})}): ${fmtMs(ms)} per step`);
  return ms;
}
