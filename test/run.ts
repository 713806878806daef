// `npm test` (and `npm run test:full`): every test tier of the project, scheduled for a small
// machine, with one summary at the end. Two workers (--jobs=N) take the tiers in the order
// listed, the longest first, so that neither core idles at the end. Each tier's whole output
// goes to test-results/<tier>.log.
//
// What it adds over running the tiers by hand:
// - a per-tier table (tests, passed, failed, skipped, seconds) and the wall time;
// - every skipped test with its reason; with --no-skips (CI) a skip is a failure;
// - a fresh temp folder for the whole run (TMPDIR), and a failure if a test left anything in it.
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { parseTap, type TapSummary } from "./helpers/tap";

const ROOT = resolve(__dirname, "..");

export interface Tier {
  name: string;
  /** What the tier checks (the summary, environment.md). */
  what: string;
  /** A node:test tier: its files, run with `node --import tsx --test`. */
  files?: string[];
  /** Test files run at once (node's default here is cores - 1 = 1). */
  concurrency?: number;
  /** Any other command. */
  command?: string[];
  env?: Record<string, string>;
}

/** Files of `dir` and its sub-folders (test/ mirrors lib/'s sub-folders) ending in `suffix`, sorted. */
const glob = (dir: string, suffix: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory()
        ? ["fixtures", "helpers"].includes(d.name)
          ? []
          : glob(join(dir, d.name), suffix)
        : d.name.endsWith(suffix)
          ? [join(dir, d.name)]
          : [],
    )
    .sort();
const unitFiles = (folders: string[]): string[] => folders.flatMap((d) => glob(join("test", d), ".test.ts"));
const UNIT_FOLDERS = readdirSync(join(ROOT, "test"), { withFileTypes: true })
  .filter((d) => d.isDirectory() && glob(join("test", d.name), ".test.ts").length > 0)
  .map((d) => d.name);
// The tests whose results depend on CVAE_BACKEND: those that pick a backend in-process (they call one of the
// functions that do: train, ensureSeedModels, notebookSeedModels, setupNotebook, initBackend) and those that run
// the CLI's model commands. Every other test computes on the same provider (tfjs on cpu, or the one it names)
// whatever CVAE_BACKEND says, so a second pass of it on wasm would check nothing new.
const PICKS_BACKEND = new Set(["train", "ensureSeedModels", "notebookSeedModels", "setupNotebook", "initBackend"]);
const CLI_MODEL_TESTS = ["test/cli/model.test.ts"];

/** Whether a test file's source imports, from lib/, a function that picks the compute backend. */
export function picksBackend(source: string): boolean {
  for (const m of source.matchAll(/^import \{([^}]*)\} from "(?:\.\.\/)+lib\/[^"]+"/gm))
    if (m[1].split(",").some((name) => PICKS_BACKEND.has(name.trim()))) return true;
  return false;
}

/** The unit test files run a second time with CVAE_BACKEND=wasm. */
export function backendTests(): string[] {
  return unitFiles(UNIT_FOLDERS).filter((f) => CLI_MODEL_TESTS.includes(f) || picksBackend(readFileSync(join(ROOT, f), "utf8")));
}

/** The tiers, in the order the workers take them: the longest first, the static checks early (they fail fast). */
export function tiers(options: { full: boolean }): Tier[] {
  const notebooks = glob("test/notebooks", ".nbtest.ts");
  const isLive = (f: string) => f.endsWith("live-jupyter.nbtest.ts");
  const study: Tier[] = options.full
    ? [
        {
          name: "notebooks:full",
          what: "the study with the notebooks' default statistics (3 seeds, 200 resamples, 200 permutations); every real layout",
          files: [...notebooks, ...glob("test/notebooks", ".fulltest.ts")],
          env: { CVAE_TEST_STUDY: "full" },
        },
      ]
    : [
        {
          name: "notebooks",
          what: "the study once with small statistics in the tslab kernel, its reports in Chromium; 01-02 on ML-1M; nbclient; interrupt",
          files: notebooks.filter((f) => !isLive(f)),
        },
        { name: "live-jupyter", what: "figures in a live Jupyter Notebook in Chromium; nbconvert", files: notebooks.filter(isLive) },
      ];
  return [
    study[0],
    { name: "typecheck", what: "tsc --noEmit", command: ["npx", "tsc", "--noEmit", "-p", "."] },
    { name: "lint", what: "ESLint", command: ["npx", "eslint", "."] },
    { name: "format", what: "prettier --check", command: ["npx", "prettier", "--check", "."] },
    { name: "unit", what: "the unit tests of every lib stage, on the automatic backend", files: unitFiles(UNIT_FOLDERS), concurrency: 2 },
    { name: "hostile", what: "the hostile-input corpus against the CLI", files: glob("test/hostile", ".hostile.ts") },
    ...study.slice(1),
    {
      name: "unit:wasm",
      what: "the unit tests whose results depend on the backend (they train or pick one) again with CVAE_BACKEND=wasm",
      files: backendTests(),
      concurrency: 2,
      env: { CVAE_BACKEND: "wasm" },
    },
    { name: "install", what: "npm ci without a compiler or without BLAS falls back to wasm", files: glob("test/install", ".install.ts") },
  ];
}

interface TierResult {
  tier: Tier;
  code: number | null;
  seconds: number;
  tap: TapSummary | null;
  log: string;
}

function runTier(tier: Tier, logDir: string, env: NodeJS.ProcessEnv): Promise<TierResult> {
  const base = join(logDir, tier.name.replace(/:/g, "-"));
  const log = `${base}.log`;
  const tapFile = `${base}.tap`;
  const [cmd, ...args] = tier.files
    ? [
        process.execPath,
        "--import",
        "tsx",
        "--test",
        ...(tier.concurrency ? [`--test-concurrency=${tier.concurrency}`] : []),
        "--test-reporter=spec",
        "--test-reporter-destination=stdout",
        "--test-reporter=tap",
        `--test-reporter-destination=${tapFile}`,
        ...tier.files,
      ]
    : (tier.command as string[]);
  const t0 = performance.now();
  return new Promise((done) => {
    const out = createWriteStream(log);
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...env, ...tier.env }, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.on("close", (code) =>
      out.end(() => {
        const tap = tier.files && existsSync(tapFile) ? parseTap(readFileSync(tapFile, "utf8")) : null;
        done({ tier, code, seconds: (performance.now() - t0) / 1000, tap, log });
      }),
    );
  });
}

/** A temp folder for the whole run; tsx's compile cache stays the machine's (a link), so runs do not recompile. */
function suiteTemp(): string {
  const dir = mkdtempSync(join(tmpdir(), "cvae-test-"));
  const cache = `tsx-${userInfo().uid}`;
  mkdirSync(join(tmpdir(), cache), { recursive: true });
  symlinkSync(join(tmpdir(), cache), join(dir, cache));
  return dir;
}

function fmt(seconds: number): string {
  const s = Math.round(seconds);
  return seconds >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${seconds.toFixed(1)} s`;
}

interface RunOptions {
  full: boolean;
  noSkips: boolean;
  only: string[] | null;
  jobs: number;
}

const USAGE = "usage: npm test [-- [--full] [--no-skips] [--only=TIER,...] [--jobs=N]]";

export function parseRunArgs(argv: string[]): RunOptions {
  const options: RunOptions = { full: false, noSkips: false, only: null, jobs: 2 };
  for (const arg of argv) {
    const [flag, value] = arg.split(/=(.*)/s);
    if (arg === "--full") options.full = true;
    else if (arg === "--no-skips") options.noSkips = true;
    else if (flag === "--only" && value) options.only = value.split(",");
    else if (flag === "--jobs" && /^[1-9]\d*$/.test(value ?? "")) options.jobs = Number(value);
    else throw new Error(`test/run.ts: bad argument "${arg}"; ${USAGE}`);
  }
  const names = tiers(options).map((t) => t.name);
  const unknown = (options.only ?? []).filter((w) => !names.includes(w));
  if (unknown.length) throw new Error(`test/run.ts: unknown tier ${unknown.join(", ")}; tiers: ${names.join(", ")}`);
  return options;
}

export async function runTests(options: RunOptions): Promise<number> {
  const all = tiers(options).filter((t) => !options.only || options.only.includes(t.name));
  const logDir = join(ROOT, "test-results");
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const temp = suiteTemp();
  const env = { ...process.env, TMPDIR: temp, NO_COLOR: "1", FORCE_COLOR: "0" };
  const t0 = performance.now();
  const title = options.full ? "npm run test:full" : "npm test";
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  console.log(`${title}: ${plural(all.length, "tier")} on ${plural(options.jobs, "worker")}; logs in test-results/, temp folder ${temp}`);
  const results: TierResult[] = [];
  const queue = [...all];
  await Promise.all(
    Array.from({ length: options.jobs }, async () => {
      for (let tier = queue.shift(); tier; tier = queue.shift()) {
        const r = await runTier(tier, logDir, env);
        results.push(r);
        const counts = r.tap ? `${r.tap.pass} passed, ${r.tap.fail} failed, ${r.tap.skipped.length} skipped, ` : "";
        console.log(`${r.code === 0 ? "ok  " : "FAIL"} ${tier.name.padEnd(15)} ${counts}${fmt(r.seconds)}`);
        if (r.code !== 0) console.log(failureExcerpt(r.log));
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  const leftovers = readdirSync(temp).filter((f) => !/^tsx-\d+$/.test(f));
  rmSync(temp, { recursive: true, force: true });

  results.sort((a, b) => all.indexOf(a.tier) - all.indexOf(b.tier));
  const row = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(15) : c.padStart(i === 5 ? 12 : 6))).join(" ");
  console.log(`\n${row(["tier", "tests", "pass", "fail", "skip", "time"])}`);
  for (const r of results) {
    const c = r.tap ? [r.tap.tests, r.tap.pass, r.tap.fail, r.tap.skipped.length].map(String) : ["-", "-", "-", "-"];
    console.log(`${row([r.tier.name, ...c, fmt(r.seconds)])}  ${r.code === 0 ? "ok" : `FAILED (exit ${r.code})`}`);
  }
  console.log(`wall time ${fmt(wall)}`);
  const skipped = results.flatMap((r) =>
    (r.tap?.skipped ?? []).map((s) => `  ${r.tier.name}: ${s.name} (${s.reason || "no reason given"})`),
  );
  if (skipped.length) console.log(`\nskipped tests${options.noSkips ? " (failures: --no-skips)" : ""}:\n${skipped.join("\n")}`);
  if (leftovers.length) console.log(`\ntests left ${leftovers.length} entries in the temp folder: ${leftovers.slice(0, 20).join(", ")}`);
  const failed = [
    ...results.filter((r) => r.code !== 0).map((r) => r.tier.name),
    ...(leftovers.length ? ["temp folder not clean"] : []),
    ...(options.noSkips && skipped.length ? ["skipped tests"] : []),
  ];
  console.log(failed.length ? `\nFAILED: ${failed.join(", ")}` : "\nall tiers passed");
  return failed.length ? 1 : 0;
}

/** The failing tests' part of a tier's log (node's spec reporter lists them at the end), else its last lines. */
function failureExcerpt(log: string): string {
  const text = readFileSync(log, "utf8");
  const at = text.lastIndexOf("✖ failing tests:");
  const part = at >= 0 ? text.slice(at) : text.split("\n").slice(-40).join("\n");
  return part.length > 6000 ? `${part.slice(0, 6000)}\n... (see ${log})` : part;
}

if (require.main === module) {
  let options: RunOptions;
  try {
    options = parseRunArgs(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(2);
  }
  runTests(options).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
