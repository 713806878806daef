// `npm run bench -- train`: (1) the time of one training step (forward, backward, Adam)
// at m = 8,000 and 20,000 items, C = 20, batch 500, 1 % input density, on the best backend
// here (and on wasm beside blas), with a per-phase profile; (2) rows/s of a real epoch on
// the default data on each of those backends, each in its own process; each beside the
// PyTorch reference (../shared/peer/cvae_torch.py, a developer tool) when Debian's
// python3-torch is installed, with their ratios.
import { type BackendName, describeBackend, initBackend } from "../lib/model/backend";
import { itemEntryConditions } from "../lib/data/conditions/conditions";
import { buildBatch } from "../lib/model/batch";
import { blasInfo } from "../lib/model/blas";
import { initParams, paramLayout } from "../lib/model/parameters";
import { ensureSynthetic, prepareDataset } from "../lib/data/datasets";
import { GradientEngine } from "../lib/model/engine";
import { autoThreads } from "../lib/model/threads";
import { Rng } from "../lib/core/rng";
import { csrFromPairs } from "../lib/data/sparse";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "../lib/core/paths";
import { fmtMs, median } from "./stats";
import { runTorch, torchReference, torchStepMs } from "./torch";

async function stepBenchmark(
  threads: number,
  backend: BackendName,
  repeats: number,
  profile: boolean,
  m = 8000,
): Promise<{ times: number[]; phases: Record<string, number>; blasThreads: number | null }> {
  const C = 20;
  const B = 500;
  const layout = paramLayout({ items: m, conditions: C, hidden: 600, latentDim: 200 });
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
  const targetConditions = itemEntryConditions(G);
  const engine = await GradientEngine.create(layout, threads, backend);
  const blasThreads = backend === "blas" ? blasInfo().threads : null;
  initParams(layout, new Rng(7), engine.buffers.params);
  const times: number[] = [];
  try {
    for (let i = 0; i < repeats + 3; i++) {
      if (profile && i === 3) engine.profile = {};
      const t0 = performance.now();
      const batch = buildBatch(X, X, batchRows, 0, B, { dropout: 0.5, latentDim: 200, rng, targetConditions });
      await engine.step(batch, 0.2, 1e-3);
      if (i >= 3) times.push(performance.now() - t0);
    }
  } finally {
    await engine.close();
  }
  const phases = Object.fromEntries(Object.entries(engine.profile ?? {}).map(([k, v]) => [k, v / repeats]));
  return { times, phases, blasThreads };
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
  const torchRows = torch ? Number(runTorch(torch, [synth.folder, "--epochs", "1"]).rows_per_s_median) : null;
  if (torchRows !== null) console.log(`  PyTorch: ${torchRows.toFixed(0)} rows/s`);
  for (const backend of backends) {
    const epoch = epochInChild(backend);
    console.log(
      `  cvae-lens ${backend}, ${epoch.threads} training threads: ${epoch.rows} rows in ${epoch.seconds.toFixed(1)} s = ` +
        `${epoch.rowsPerSecond.toFixed(0)} rows/s`,
    );
    if (torchRows !== null)
      console.log(`  ratio of epoch time ${backend} / PyTorch: ${(torchRows / epoch.rowsPerSecond).toFixed(2)} (goal <= 1.0 on blas)`);
  }
}

/** One epoch of a real run on the default data, on `backend`, in its own process (a process has one backend). */
function epochInChild(backend: BackendName): { rows: number; seconds: number; rowsPerSecond: number; threads: number } {
  const cli = join(projectRoot(), "bin", "cvae.js");
  const args = [cli, "train", "--dataset", "synthetic", "--run", `bench-epoch-${backend}`, "--epochs", "1", "--restart", "--json"];
  const r = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 26, env: { ...process.env, CVAE_BACKEND: backend } });
  if (r.status !== 0) throw new Error(`bench train: the ${backend} epoch failed: ${r.stderr.slice(-1500)}`);
  const out = JSON.parse(r.stdout) as { history: { rows: number; seconds: number; rowsPerSecond: number }[] };
  const threads = Number(/ with (\d+) threads?/.exec(r.stderr)?.[1] ?? NaN); // from the run's summary line
  return { ...out.history[0], threads };
}
