// `npm run bench -- train`: (1) the time of one training step (forward, backward, Adam)
// at m = 8,000 items, C = 20, batch 500, 1 % input density, on the best backend here,
// with a per-phase profile; (2) rows/s of a real epoch on the default data; each beside
// the PyTorch reference (../shared/peer/cvae_torch.py, a developer tool) when Debian's
// python3-torch is installed, with their ratios.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describeBackend, initBackend } from "../lib/model/backend";
import { genreTable } from "../lib/data/genres";
import { buildBatch } from "../lib/model/batch";
import { initParams, paramLayout } from "../lib/model/parameters";
import { ensureSynthetic, prepareDataset } from "../lib/data/datasets";
import { autoThreads, GradientEngine } from "../lib/model/engine";
import { projectRoot } from "../lib/core/paths";
import { Rng } from "../lib/core/rng";
import { csrFromPairs } from "../lib/data/sparse";
import { loadProcessed } from "../lib/data/store";
import { train } from "../lib/train/loop";
import { fmtMs, median } from "./stats";

const PYTHON = process.env.CVAE_BENCH_PYTHON ?? "/usr/bin/python3";

/** The PyTorch reference script, if this checkout sits next to it (or CVAE_TORCH_REFERENCE names it). */
function torchReference(): string | null {
  const candidates = [process.env.CVAE_TORCH_REFERENCE, resolve(projectRoot(), "..", "shared", "peer", "cvae_torch.py")].filter(
    (p): p is string => Boolean(p),
  );
  const script = candidates.find((p) => existsSync(p));
  if (!script) return null;
  return spawnSync(PYTHON, ["-c", "import torch, scipy, pandas"]).status === 0 ? script : null;
}

function runTorch(script: string, args: string[]): Record<string, unknown> {
  const r = spawnSync(PYTHON, [script, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`PyTorch reference failed: ${r.stderr.slice(-1500)}`);
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as Record<string, unknown>;
}

async function stepBenchmark(
  threads: number,
  backend: "tensorflow" | "wasm" | "cpu",
  repeats: number,
  profile: boolean,
): Promise<{ times: number[]; phases: Record<string, number> }> {
  const m = 8000;
  const C = 20;
  const B = 500;
  const layout = paramLayout({ items: m, conditions: C, hidden: 600, latent: 200 });
  const rng = new Rng(1);
  const rows: number[] = [];
  const cols: number[] = [];
  for (let u = 0; u < B; u++) {
    for (let i = 0; i < m; i++) {
      if (rng.random() < 0.01) {
        rows.push(u);
        cols.push(i);
      }
    }
  }
  const X = csrFromPairs(B, m, rows, cols);
  const G = csrFromPairs(
    m,
    C,
    Array.from({ length: m }, (_, i) => i),
    Array.from({ length: m }, (_, i) => i % C),
  );
  const batchRows = {
    users: Int32Array.from({ length: B }, (_, i) => i),
    conditions: Int32Array.from({ length: B }, (_, i) => (i % (C + 1)) - 1),
  };
  const genres = genreTable(G);
  const engine = await GradientEngine.create(layout, threads, backend);
  initParams(layout, new Rng(7), engine.buffers.params);
  const times: number[] = [];
  try {
    for (let i = 0; i < repeats + 3; i++) {
      if (profile && i === 3) engine.profile = {};
      const t0 = performance.now();
      const batch = buildBatch(X, X, batchRows, 0, B, { dropout: 0.5, latent: 200, rng, genres, conditions: C });
      await engine.step(batch, 0.2, 1e-3);
      if (i >= 3) times.push(performance.now() - t0);
    }
  } finally {
    await engine.close();
  }
  const phases = Object.fromEntries(Object.entries(engine.profile ?? {}).map(([k, v]) => [k, v / repeats]));
  return { times, phases };
}

export async function benchTrain(args: string[]): Promise<void> {
  const repeats = Number(args[0] ?? 10);
  const info = await initBackend({ log: false });
  const threads = autoThreads(info.name);
  console.log(describeBackend(info));
  const torch = torchReference();
  console.log(
    torch
      ? `PyTorch reference: ${torch}`
      : "PyTorch reference: not found (needs ../shared/peer/cvae_torch.py or " +
          "CVAE_TORCH_REFERENCE, and python3-torch); only cvae-lens is timed",
  );

  console.log(`\n(1) one training step, m=8000 C=20 batch=500, 1 % density: median of ${repeats} after 3 warm-up steps`);
  const ours = await stepBenchmark(threads, info.name, repeats, true);
  const oursMs = median(ours.times);
  console.log(
    `  cvae-lens, ${threads} thread${threads > 1 ? "s" : ""}: ${fmtMs(oursMs)} per step ` +
      `(min ${fmtMs(Math.min(...ours.times))}, max ${fmtMs(Math.max(...ours.times))})`,
  );
  if (threads > 1) {
    const single = await stepBenchmark(1, info.name, Math.max(3, Math.floor(repeats / 2)), false);
    console.log(`  cvae-lens, 1 thread: ${fmtMs(median(single.times))} per step`);
  }
  console.log("  where this thread's time goes (ms per step):");
  for (const [phase, ms] of Object.entries(ours.phases).sort((a, b) => b[1] - a[1]))
    console.log(`    ${phase.padEnd(36)} ${ms.toFixed(1).padStart(7)}`);
  if (torch) {
    const t = runTorch(torch, ["--bench-step", "8000,500"]);
    const torchMs = (t.bench_step as { ms_per_step_median: number }).ms_per_step_median;
    console.log(
      `  PyTorch ${String((t.threads as Record<string, unknown>)?.torch ?? "")} ` +
        `torch thread(s), BLAS default threads: ${fmtMs(torchMs)} per step`,
    );
    console.log(`  ratio cvae-lens / PyTorch: ${(oursMs / torchMs).toFixed(2)} (goal <= 2.0)`);
  }

  console.log("\n(2) one real epoch on the default data (synthetic, full sampler: every user x each genre + unconditioned)");
  const synth = await ensureSynthetic("synthetic");
  await prepareDataset("synthetic");
  const ds = loadProcessed("synthetic");
  const result = await train(
    { dataset: "synthetic", run: "bench-epoch", epochs: 1, validateEvery: 1 },
    { dataset: ds, resume: "never", handleSignals: false },
  );
  const ourRows = result.history[0].rowsPerSecond;
  console.log(`  cvae-lens: ${result.history[0].rows} rows in ${result.history[0].seconds.toFixed(1)} s = ${ourRows.toFixed(0)} rows/s`);
  if (torch) {
    const t = runTorch(torch, [synth.folder, "--epochs", "1"]);
    const torchRows = Number(t.rows_per_s_median);
    console.log(`  PyTorch: ${torchRows.toFixed(0)} rows/s`);
    console.log(`  ratio of epoch time cvae-lens / PyTorch: ${(torchRows / ourRows).toFixed(2)}`);
  }
}
