// `npm run bench -- accuracy [dataset-or-folder] [epochs]`: trains cvae-lens and the
// PyTorch reference (../shared/peer/cvae_torch.py) with the same split, epochs, sampler
// (full), batch size and beta (the paper's 0.008), and prints their test nDCG@100 under
// both protocols side by side, with the popularity baseline.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { initBackend } from "../lib/model/backend";
import { prepareDataset, prepareSource } from "../lib/data/datasets";
import { compareWithPopularity, methodName } from "../lib/evaluation/evaluate";
import { projectRoot } from "../lib/core/paths";
import { train } from "../lib/train/loop";
import { presetConfig } from "../lib/train/config";

const PYTHON = process.env.CVAE_BENCH_PYTHON ?? "/usr/bin/python3";

export async function benchAccuracy(args: string[]): Promise<void> {
  const source = args[0] ?? "synthetic";
  const epochs = Number(args[1] ?? 5);
  await initBackend({ log: false });
  const src = await prepareSource(source);
  const { dataset: ds } = await prepareDataset(source);
  console.log(
    `data: ${src.folder} (${ds.source.synthetic ? "SYNTHETIC" : "MovieLens"}): ${ds.summary.users} ` +
      `users, ${ds.summary.items} items; ${epochs} epochs, full sampler, beta 0.008, batch 500`,
  );
  const config = presetConfig("quick", { dataset: ds.name, run: `bench-accuracy-${ds.name}`, epochs });
  const result = await train(config, { dataset: ds, resume: "never", handleSignals: false });
  const results = await compareWithPopularity(ds, "test", result.model);
  const ours = results[methodName(result.model)];
  const pop = results.popularity;
  const line = (name: string, zero: number, cond: number) =>
    console.log(`  ${name.padEnd(22)} unconditioned ${zero.toFixed(4)}   genre rows ${cond.toFixed(4)}`);
  console.log("test nDCG@100:");
  line("cvae-lens C-VAE", ours.unconditioned.ndcg100, ours.conditioned?.ndcg100 ?? NaN);
  line("popularity", pop.unconditioned.ndcg100, pop.conditioned?.ndcg100 ?? NaN);
  console.log(`  unconditioned C-VAE / popularity: ${(ours.unconditioned.ndcg100 / pop.unconditioned.ndcg100).toFixed(2)} (goal >= 2)`);
  const script = process.env.CVAE_TORCH_REFERENCE ?? resolve(projectRoot(), "..", "shared", "peer", "cvae_torch.py");
  if (!existsSync(script) || spawnSync(PYTHON, ["-c", "import torch, scipy, pandas"]).status !== 0) {
    console.log("PyTorch reference not available (needs ../shared/peer/cvae_torch.py and python3-torch)");
    return;
  }
  const r = spawnSync(PYTHON, [script, src.folder, "--epochs", String(epochs), "--beta", "0.008", "--batch-size", "500"], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`PyTorch reference failed: ${r.stderr.slice(-1500)}`);
  const t = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as {
    data: Record<string, number>;
    test: Record<string, Record<string, number>>;
  };
  const tz = t.test.unconditioned["ndcg@100"];
  const tc = t.test.conditioned_genre_rows["ndcg@100"];
  line("PyTorch reference", tz, tc);
  const sameSplit = t.data.users === ds.summary.users && t.data.items === ds.summary.items && t.data.test_users === ds.summary.test.users;
  console.log(
    `  same split: ` +
      `${sameSplit ? "yes" : "NO"} ` +
      `(reference: ${t.data.users} users, ${t.data.items} items, ${t.data.test_users} test users)`,
  );
  console.log(
    `  cvae-lens - PyTorch: unconditioned ${(ours.unconditioned.ndcg100 - tz).toFixed(4)}, ` +
      `genre rows ${((ours.conditioned?.ndcg100 ?? NaN) - tc).toFixed(4)} (goal: >= -0.02)`,
  );
}
