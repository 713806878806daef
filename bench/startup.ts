// `npm run bench -- startup [repeats]`: how long `cvae` takes to answer before doing any work
// (--help of the command line and of commands), each in a fresh process, and which heavy
// packages each loads. Commands load their modules only when they run (lib/cli/main.ts), so
// `cvae --help` and the data commands must not pay for tfjs or zeromq.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "../lib/core/paths";
import { fmtMs, median } from "./stats";

/** Packages worth naming when a command loads them: tfjs (~0.8 s), zeromq, and the analysis and notebook stacks. */
const isHeavy = (pkg: string) =>
  pkg.startsWith("@tensorflow/") ||
  ["zeromq", "danfojs-node", "ml-pca", "ml-matrix", "plotly.js-dist-min", "tslab", "marked"].includes(pkg);
const COMMANDS = [["--help"], ["data", "prepare", "--help"], ["data", "list"], ["reproduce", "--help"], ["train", "--help"]];
const GOAL_MS = 300;

export async function benchStartup(args: string[]): Promise<void> {
  const repeats = Number(args[0] ?? 10);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`bench startup: repeats must be a positive integer, got "${args[0]}"`);
  const root = projectRoot();
  const cli = join(root, "bin", "cvae.js");
  const trace = join(root, "bench", "load-trace.cjs");
  const bare = times(process.execPath, ["-e", "0"], repeats);
  console.log(`${repeats} runs each, fresh processes, Node ${process.version}; a bare \`node -e 0\` takes ${fmtMs(median(bare))}`);
  console.log(`${"command".padEnd(28)} ${"median".padStart(9)} ${"min".padStart(9)} ${"max".padStart(9)}  heavy packages loaded`);
  for (const argv of COMMANDS) {
    spawnSync(process.execPath, [cli, ...argv]); // warm tsx's compile cache
    const t = times(process.execPath, [cli, ...argv], repeats);
    const traced = spawnSync(process.execPath, ["-r", trace, cli, ...argv], { encoding: "utf8" });
    const line = /LOADED (.*)$/m.exec(traced.stderr)?.[1];
    const loaded: string[] = line ? JSON.parse(line) : [];
    const heavy = loaded.filter(isHeavy);
    const goal =
      argv.includes("--help") && argv.length <= 3 && !["reproduce", "train"].includes(argv[0]) ? `  (goal <= ${GOAL_MS} ms)` : "";
    console.log(
      `${`cvae ${argv.join(" ")}`.padEnd(28)} ${fmtMs(median(t)).padStart(9)} ${fmtMs(Math.min(...t)).padStart(9)} ` +
        `${fmtMs(Math.max(...t)).padStart(9)}  ${heavy.join(", ") || "none"}${goal}`,
    );
  }
}

function times(cmd: string, args: string[], repeats: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { stdio: "ignore" });
    out.push(performance.now() - t0);
    if (r.status !== 0 && r.status !== 2) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}`);
  }
  return out;
}
