// The command table (lib/cli/main.ts) lists commands without loading them; a command's
// module loads when it runs, so help and the data commands never load tfjs or zeromq.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, mock } from "node:test";
import { COMMANDS, errorText, loadCommand, main } from "../../lib/cli/main";
import { tempDir } from "../helpers/temp";

const ROOT = join(__dirname, "..", "..");

/** The packages (node_modules folders) a fresh process loaded while running `main(argv)`. */
function packagesLoadedBy(argv: string[]): { code: number; packages: string[] } {
  const script = `
    require("tsx/cjs");
    const { main } = require("./lib/cli/main.ts");
    main(${JSON.stringify(argv)}).then((code) => {
      const pkgs = new Set(Object.keys(require.cache).flatMap((f) => {
        const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(f);
        return m ? [m[1]] : [];
      }));
      process.stderr.write("\\nLOADED " + JSON.stringify([...pkgs].sort()) + " " + code + "\\n");
    });`;
  const r = spawnSync(process.execPath, ["-e", script], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, CVAE_DATA_DIR: "/nonexistent" },
  });
  const m = /LOADED (\[.*\]) (\d+)$/m.exec(r.stderr);
  assert.ok(m, `no package list in:\n${r.stderr}`);
  return { packages: JSON.parse(m[1]) as string[], code: Number(m[2]) };
}

const heavy = (packages: string[]) => packages.filter((p) => p.startsWith("@tensorflow/") || p === "zeromq" || p === "tslab");

describe("the command table", () => {
  it("loads, for every entry, the command of that name", () => {
    for (const entry of COMMANDS) assert.equal(entry.load().name, entry.name);
    assert.equal(loadCommand("data prepare").name, "data prepare");
    assert.throws(() => loadCommand("data prep"), /no command "data prep"/);
  });

  it("has one entry per name", () => {
    assert.equal(new Set(COMMANDS.map((c) => c.name)).size, COMMANDS.length);
  });
});

describe("a usage error", () => {
  /** What `main(argv)` wrote to stdout and stderr, and its exit code. */
  async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const log = mock.method(console, "log", (...a: unknown[]) => out.push(a.join(" ")));
    const error = mock.method(console, "error", (...a: unknown[]) => err.push(a.join(" ")));
    try {
      return { code: await main(argv), out, err };
    } finally {
      log.mock.restore();
      error.mock.restore();
    }
  }

  it("is one line on stderr with exit code 2, not followed by the command's help", async () => {
    const typo = await run(["train", "--latnet", "3"]);
    assert.deepEqual(typo, {
      code: 2,
      out: [],
      err: ["cvae train: unknown flag --latnet; did you mean --latent? (cvae train --help lists them)"],
    });
    const far = await run(["data", "prepare", "--zzzz"]);
    assert.deepEqual(far.err, ["cvae data prepare: unknown flag --zzzz (cvae data prepare --help lists them)"]);
    const value = await run(["train", "--epochs", "abc"]);
    assert.deepEqual([value.code, value.err], [2, ['cvae train: --epochs expects a whole number, got "abc"']]);
  });

  it("for a negative number given as the next word of a flag is the flag's range check, not node's 'argument is ambiguous'", async () => {
    assert.deepEqual(await run(["train", "--seed", "-1"]), { code: 2, out: [], err: ['cvae train: --seed must be at least 0, got "-1"'] });
    assert.deepEqual((await run(["recommend", "--user", "-3"])).err, ['cvae recommend: --user must be at least 0, got "-3"']);
    assert.deepEqual((await run(["data", "prepare", "--heldout", "-1"])).err, [
      'cvae data prepare: --heldout must be at least 0, got "-1"',
    ]);
    const flag = await run(["train", "--run", "--json"]);
    assert.deepEqual([flag.code, flag.err.length], [2, 1]);
    assert.match(flag.err[0], /^cvae train: --run needs a value, got "--json", which reads as a flag/);
  });

  it("for an unknown subcommand names it and the closest subcommand, then lists the group's subcommands", async () => {
    const data = await run(["data", "lst"]);
    assert.equal(data.code, 2);
    assert.deepEqual(data.out, []);
    const lines = data.err.join("\n").split("\n");
    assert.equal(lines[0], 'cvae data: unknown subcommand "lst"; did you mean "list"?');
    assert.deepEqual(
      lines.slice(1).map((l) => l.trim().split(/\s{2,}/)[0]),
      COMMANDS.filter((c) => c.name.startsWith("data ")).map((c) => `cvae ${c.name}`),
    );
    const notebooks = await run(["notebooks", "clen"]);
    assert.match(notebooks.err.join("\n"), /^cvae notebooks: unknown subcommand "clen"; did you mean "clean"\?\n {2}cvae notebooks clean /);
    const far = await run(["data", "zzzz"]);
    assert.match(far.err.join("\n"), /^cvae data: unknown subcommand "zzzz"\n {2}cvae data synth /);
  });
});

describe("cvae GROUP --help (cvae data --help)", () => {
  it("lists the group's subcommands on stdout and exits 0", async () => {
    const out: string[] = [];
    const log = mock.method(console, "log", (...a: unknown[]) => out.push(a.join(" ")));
    const error = mock.method(console, "error", () => assert.fail("nothing on stderr"));
    let code: number;
    try {
      code = await main(["data", "--help"]);
    } finally {
      log.mock.restore();
      error.mock.restore();
    }
    assert.equal(code, 0);
    const text = out.join("\n");
    assert.match(text, /^usage: cvae data <subcommand> \[options\]/);
    for (const c of COMMANDS.filter((c) => c.name.startsWith("data "))) assert.ok(text.includes(`  cvae ${c.name} `), c.name);
  });
});

describe("what a command loads", () => {
  it("cvae --help loads neither tfjs nor zeromq", () => {
    const { code, packages } = packagesLoadedBy(["--help"]);
    assert.equal(code, 0);
    assert.deepEqual(heavy(packages), []);
  });

  for (const argv of [
    ["data", "prepare", "--help"],
    ["data", "synth", "--help"],
    ["data", "download", "--help"],
    ["data", "list"],
  ]) {
    it(`cvae ${argv.join(" ")} loads neither tfjs nor zeromq`, () => {
      const { code, packages } = packagesLoadedBy(argv);
      assert.equal(code, 0);
      assert.deepEqual(heavy(packages), []);
    });
  }

  it("cvae train --help loads no tfjs either (it loads on first use), while cvae backend, which picks one, does", () => {
    assert.deepEqual(heavy(packagesLoadedBy(["train", "--help"]).packages), []);
    const { code, packages } = packagesLoadedBy(["backend"]);
    assert.equal(code, 0);
    assert.ok(heavy(packages).includes("@tensorflow/tfjs"), JSON.stringify(packages));
  });

  for (const command of ["evaluate", "recommend", "explore", "profile"]) {
    it(`cvae ${command} on a missing data set fails before loading tfjs (the backend loads after the data set and the run)`, () => {
      const user = command === "recommend" ? ["--user", "1"] : [];
      const { code, packages } = packagesLoadedBy([command, "--dataset", "nope", "--run", "nope", ...user]);
      assert.equal(code, 1);
      assert.deepEqual(heavy(packages), []);
    });
  }
});

describe("errorText(err): an operating-system error a command throws", () => {
  it("becomes a sentence naming the file instead of Node's 'EISDIR: illegal operation on a directory'", () => {
    const dir = tempDir("main-");
    mkdirSync(join(dir, "out"));
    let raw: unknown;
    try {
      writeFileSync(join(dir, "out"), "x");
    } catch (err) {
      raw = err;
    }
    assert.match(String(raw), /EISDIR: illegal operation on a directory/);
    assert.equal(errorText(raw), `${join(dir, "out")}: is a folder, expected a file`);
    assert.equal(errorText(new Error("plain")), "plain");
  });

  it("reaches the user as one line with exit code 1 when CVAE_DATA_DIR is a file", async () => {
    const file = join(tempDir("main-"), "data");
    writeFileSync(file, "x");
    const before = process.env.CVAE_DATA_DIR;
    process.env.CVAE_DATA_DIR = file;
    const err: string[] = [];
    const error = mock.method(console, "error", (...a: unknown[]) => err.push(a.join(" ")));
    const log = mock.method(console, "log", () => undefined);
    try {
      assert.equal(await main(["data", "list"]), 1);
    } finally {
      error.mock.restore();
      log.mock.restore();
      if (before === undefined) delete process.env.CVAE_DATA_DIR;
      else process.env.CVAE_DATA_DIR = before;
    }
    assert.deepEqual(err, [`cvae data list: CVAE_DATA_DIR=${file}: is not a folder, expected the data folder (raw/, processed/, models/)`]);
  });
});
