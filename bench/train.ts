// `npm run bench -- train`: (1) the time of one training step (forward, backward, Adam)
// at m = 8,000 items, C = 20, batch 500, 1 % input density, on the best backend here,
// with a per-phase profile; (2) rows/s of a real epoch on the default data; each beside
// the PyTorch reference (../shared/peer/cvae_torch.py, a developer tool) when Debian's
// python3-torch is installed, with their ratios.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { type BackendName, describeBackend, initBackend } from "../lib/model/backend";
import { genreTable } from "../lib/data/genres";
import { buildBatch } from "../lib/model/batch";
import { blasInfo } from "../lib/model/blas";
import { initParams, paramLayout } from "../lib/model/parameters";
import { ensureSynthetic, prepareDataset } from "../lib/data/datasets";
import { GradientEngine } from "../lib/model/engine";
import { autoThreads } from "../lib/model/threads";
import { projectRoot } from "../lib/core/paths";
import { Rng } from "../lib/core/rng";
import { csrFromPairs } from "../lib/data/sparse";
import { loadProcessed } from "../lib/data/store";
import { train } from "../lib/train/loop";
import { fmtMs, median } from "./stats";

const PYTHON = process.env.CVAE_BENCH_PYTHON ?? "/usr/bin/python3";
// The user's own setting, read before the BLAS backend sets it for this process: PyTorch gets its own default.
const USER_OPENBLAS_THREADS = process.env.OPENBLAS_NUM_THREADS;

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
  const env = { ...process.env };
  if (USER_OPENBLAS_THREADS === undefined) delete env.OPENBLAS_NUM_THREADS;
  else env.OPENBLAS_NUM_THREADS = USER_OPENBLAS_THREADS;
  const r = spawnSync(PYTHON, [script, ...args], { encoding: "utf8", maxBuffer: 1 << 26, env });
  if (r.status !== 0) throw new Error(`PyTorch reference failed: ${r.stderr.slice(-1500)}`);
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as Record<string, unknown>;
}

async function stepBenchmark(
  threads: number,
  backend: BackendName,
  repeats: number,
  profile: boolean,
  m = 8000,
): Promise<{ times: number[]; phases: Record<string, number>; blasThreads: number | null }> {
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
  const blasThreads = backend === "blas" ? blasInfo().threads : null;
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
  return { times, phases, blasThreads };
}

/** PyTorch's median step time at m items, batch 500, printed with its thread counts. */
function torchStepMs(script: string, m: number): number {
  const t = runTorch(script, ["--bench-step", `${m},500`]);
  const ms = (t.bench_step as { ms_per_step_median: number }).ms_per_step_median;
  const threads = t.threads as Record<string, unknown> | undefined;
  console.log(`  PyTorch (${JSON.stringify(threads ?? {})}): ${fmtMs(ms)} per step`);
  return ms;
}

export async function benchTrain(args: string[]): Promise<void> {
  const repeats = Number(args[0] ?? 10);
  const info = await initBackend({ log: false });
  console.log(describeBackend(info));
  const torch = torchReference();
  console.log(
    torch
      ? `PyTorch reference: ${torch}`
      : "PyTorch reference: not found (needs ../shared/peer/cvae_torch.py or " +
          "CVAE_TORCH_REFERENCE, and python3-torch); only cvae-lens is timed",
  );

  // The backends a step can run on here: the chosen one, and wasm beside BLAS (the tfjs side of "blas" is wasm).
  const backends: BackendName[] = info.name === "blas" && info.tfjs === "wasm" ? ["blas", "wasm"] : [info.name];
  for (const m of [8000, 20000]) {
    console.log(`\n(1) one training step, m=${m} C=20 batch=500, 1 % density: median of ${repeats} after 3 warm-up steps`);
    const torchMs = torch ? torchStepMs(torch, m) : null;
    for (const backend of backends) {
      const threads = autoThreads(backend);
      const ours = await stepBenchmark(threads, backend, repeats, m === 8000, m);
      const oursMs = median(ours.times);
      const blasThreads = ours.blasThreads !== null ? ` x ${ours.blasThreads} BLAS thread${ours.blasThreads === 1 ? "" : "s"}` : "";
      console.log(
        `  cvae-lens ${backend}, ${threads} training thread${threads > 1 ? "s" : ""}${blasThreads}: ${fmtMs(oursMs)} per step ` +
          `(min ${fmtMs(Math.min(...ours.times))}, max ${fmtMs(Math.max(...ours.times))})`,
      );
      if (m === 8000) {
        console.log(`    where thread 0's time goes (ms per step):`);
        for (const [phase, ms] of Object.entries(ours.phases).sort((a, b) => b[1] - a[1]))
          console.log(`      ${phase.padEnd(36)} ${ms.toFixed(1).padStart(7)}`);
      }
      if (torchMs !== null) console.log(`  ratio ${backend} / PyTorch: ${(oursMs / torchMs).toFixed(2)} (m=${m}; goal <= 1.0 on blas)`);
    }
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
  const { rows, seconds } = result.history[0];
  const who = `cvae-lens (${result.backend.name}, ${result.threads} training threads)`;
  console.log(`  ${who}: ${rows} rows in ${seconds.toFixed(1)} s = ${ourRows.toFixed(0)} rows/s`);
  if (torch) {
    const t = runTorch(torch, [synth.folder, "--epochs", "1"]);
    const torchRows = Number(t.rows_per_s_median);
    console.log(`  PyTorch: ${torchRows.toFixed(0)} rows/s`);
    console.log(`  ratio of epoch time cvae-lens / PyTorch: ${(torchRows / ourRows).toFixed(2)}`);
  }
}
