// `npm run bench -- backends [seeds] [epochs]`: does the backend change what the model
// learns? Trains the quick preset (full sampler, beta 0.008) on the default data with seeds
// 1..K on each backend that loads here (wasm, blas), each run in its own process (a
// process has one backend), and prints test nDCG@100 per seed, the wasm seed-to-seed
// spread, and whether every BLAS run falls inside it. Seed 1 runs twice on each backend:
// the two histories must be identical (seeded runs are repeatable).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "../lib/core/paths";
import { loadBlas } from "../lib/model/blas";

interface RunOutcome {
  ndcgUnconditioned: number;
  ndcgGenreRows: number;
  losses: number[];
  seconds: number;
}

function trainOnce(backend: string, seed: number, epochs: number, tag: string): RunOutcome {
  const args = [join(projectRoot(), "bin", "cvae.js"), "train", "--dataset", "synthetic", "--preset", "paper", "--restart", "--json"];
  args.push("--epochs", String(epochs), "--patience", "0", "--seed", String(seed), "--run", `bench-backends-${backend}-${seed}${tag}`);
  const r = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 26, env: { ...process.env, CVAE_BACKEND: backend } });
  if (r.status !== 0) throw new Error(`cvae train on ${backend} (seed ${seed}) failed: ${r.stderr.slice(-1500)}`);
  const out = JSON.parse(r.stdout) as {
    history: { loss: number; seconds: number }[];
    test: Record<string, { unconditioned: { ndcg100: number }; conditioned?: { ndcg100: number } }>;
  };
  const model = out.test["C-VAE"];
  if (!model) throw new Error("cvae train --json: no C-VAE test results");
  return {
    ndcgUnconditioned: model.unconditioned.ndcg100,
    ndcgGenreRows: model.conditioned?.ndcg100 ?? NaN,
    losses: out.history.map((h) => h.loss),
    seconds: out.history.reduce((s, h) => s + h.seconds, 0),
  };
}

const f4 = (x: number) => x.toFixed(4);
const f6 = (x: number) => x.toFixed(6);

export async function benchBackends(args: string[]): Promise<void> {
  const seeds = Number(args[0] ?? 3);
  const epochs = Number(args[1] ?? 5);
  const backends = ["wasm", ...(loadBlas().ok ? ["blas"] : [])];
  if (backends.length < 2) console.log(`blas: not here (${loadBlas().reason}); only wasm is trained`);
  console.log(`quick preset (${epochs} epochs, full sampler, beta 0.008) on the default synthetic data, seeds 1..${seeds}`);
  const results: Record<string, RunOutcome[]> = {};
  for (const backend of backends) {
    results[backend] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const r = trainOnce(backend, seed, epochs, "");
      results[backend].push(r);
      console.log(
        `  ${backend.padEnd(5)} seed ${seed}: test nDCG@100 unconditioned ${f4(r.ndcgUnconditioned)}, genre rows ${f4(r.ndcgGenreRows)}` +
          ` (${r.seconds.toFixed(0)} s training)`,
      );
    }
    const again = trainOnce(backend, 1, epochs, "-again");
    const first = results[backend][0];
    const worst = Math.max(...first.losses.map((l, i) => Math.abs(l - again.losses[i])));
    const same = worst === 0 && again.ndcgUnconditioned === first.ndcgUnconditioned;
    console.log(
      `  ${backend.padEnd(5)} seed 1 again: ${same ? "identical losses and nDCG (repeatable)" : `differs: losses by up to ${worst}`}`,
    );
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const key of ["ndcgUnconditioned", "ndcgGenreRows"] as const) {
    const wasm = results.wasm.map((r) => r[key]);
    const [lo, hi] = [Math.min(...wasm), Math.max(...wasm)];
    const name = key === "ndcgUnconditioned" ? "unconditioned" : "genre rows";
    console.log(`\n${name}: wasm mean ${f6(mean(wasm))}, seed-to-seed range ${f6(lo)}..${f6(hi)} (spread ${f6(hi - lo)})`);
    if (!results.blas) continue;
    const blas = results.blas.map((r) => r[key]);
    const sameSeed = Math.max(...blas.map((x, i) => Math.abs(x - wasm[i])));
    const inside = mean(blas) >= lo && mean(blas) <= hi;
    console.log(
      `  blas mean ${f6(mean(blas))}: ${inside ? "inside" : "OUTSIDE"} wasm's seed range; ` +
        `largest |blas - wasm| at the same seed ${sameSeed.toExponential(1)} (${(sameSeed / (hi - lo)).toExponential(1)} of the spread)`,
    );
  }
}
