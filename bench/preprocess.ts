// `npm run bench -- preprocess [preset]`: the whole preprocessing (read, Liang protocol,
// save) at ML-20M size against pandas doing the same work (read_csv, filters, split),
// each in its own process, alternating, medians over repeats. Also checks that both
// produce identical counts and the identical split.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ensureSynthetic } from "../lib/data/datasets";
import { projectRoot } from "../lib/core/paths";
import { median } from "./stats";

const PYTHON = process.env.CVAE_BENCH_PYTHON ?? "/usr/bin/python3";

interface ChildResult {
  wall: number;
  json: Record<string, unknown> & { max_rss_mb: number; counts: Record<string, number>; checksum: Record<string, unknown> };
}

function run(cmd: string, args: string[]): ChildResult {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 24 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  return { wall, json: JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") };
}

export async function benchPreprocess(args: string[]): Promise<void> {
  const preset = args[0] ?? "synthetic-20m";
  const repeats = Number(args[1] ?? 3);
  const root = projectRoot();
  console.log(`data: ${preset} (generating it first if missing)`);
  const synth = await ensureSynthetic(preset);
  if (synth.created && synth.summary) console.log(`  generated ${synth.summary.ratings} ratings in ${synth.summary.seconds.toFixed(1)} s`);
  const folder = synth.folder;
  const pandasOk = spawnSync(PYTHON, ["-c", "import pandas, numpy"]).status === 0;
  if (!pandasOk) console.log(`  ${PYTHON} has no pandas (apt install python3-pandas): only cvae-lens is timed`);

  const ours: ChildResult[] = [];
  const theirs: ChildResult[] = [];
  for (let i = 0; i < repeats; i++) {
    ours.push(run(process.execPath, ["--import", "tsx", join(root, "bench", "preprocess-child.ts"), folder, `bench-${preset}`]));
    if (pandasOk) theirs.push(run(PYTHON, [join(root, "bench", "pandas_preprocess.py"), folder]));
    console.log(
      `  run ${i + 1}/${repeats}: cvae-lens ${ours[i].wall.toFixed(2)} s${pandasOk ? `, pandas ${theirs[i].wall.toFixed(2)} s` : ""}`,
    );
  }
  const o = ours[0].json;
  const oursWall = median(ours.map((r) => r.wall));
  const oursRss = Math.max(...ours.map((r) => r.json.max_rss_mb));
  console.log(
    `\nratings: ${o.counts.raw_ratings.toLocaleString("en-US")} raw, ` +
      `${o.counts.filtered_ratings.toLocaleString("en-US")} kept; ${o.counts.users} users, ${o.counts.items} items`,
  );
  console.log(
    `cvae-lens (Node ${process.version}): median ${oursWall.toFixed(2)} s per process (in-process ` +
      `${median(ours.map((r) => Number((r.json.seconds as { total: number }).total))).toFixed(2)} s), peak RSS ${oursRss} MB`,
  );
  if (!pandasOk) return;
  const p = theirs[0].json;
  const theirWall = median(theirs.map((r) => r.wall));
  console.log(
    `pandas (${String(p.tool)}): median ${theirWall.toFixed(2)} s per process (in-process ` +
      `${median(theirs.map((r) => Number((r.json.seconds as { total: number }).total))).toFixed(2)} ` +
      `s), peak RSS ${Math.max(...theirs.map((r) => r.json.max_rss_mb))} MB`,
  );
  console.log(
    `ratio cvae-lens / pandas: ${(oursWall / theirWall).toFixed(2)} (goal <= ` +
      `1.0); peak RSS ${oursRss <= 2048 ? "within" : "ABOVE"} the 2 GB budget`,
  );
  const same = JSON.stringify(o.counts) === JSON.stringify(p.counts) && JSON.stringify(o.checksum) === JSON.stringify(p.checksum);
  console.log(`identical counts and split (held-out checksums, first items): ${same ? "yes" : "NO"}`);
  if (!same)
    console.log(
      `  cvae-lens ${JSON.stringify({ counts: o.counts, checksum: o.checksum })}\n ` +
        ` pandas    ${JSON.stringify({ counts: p.counts, checksum: p.checksum })}`,
    );
  if (!existsSync(folder)) throw new Error(`${folder} vanished during the benchmark`);
}
