// The test tiers of `npm test` and `npm run test:full` (test/run.ts): every test file of the
// project runs in one of them, and the runner reads node's TAP right.
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { parseTap } from "../helpers/tap";
import { backendTests, parseRunArgs, picksBackend, tiers } from "../run";

const ROOT = join(__dirname, "..", "..");

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === "fixtures" || f === "helpers" ? [] : testFiles(p);
    return /\.(test|nbtest|fulltest|hostile|install)\.ts$/.test(f) ? [relative(ROOT, p)] : [];
  });
}

describe("the tiers of npm test and npm run test:full", () => {
  it("run every test file of test/: npm test all but the full-size ones, test:full all of them", () => {
    const all = testFiles(join(ROOT, "test")).sort();
    const fast = new Set(tiers({ full: false }).flatMap((t) => t.files ?? []));
    const full = new Set(tiers({ full: true }).flatMap((t) => t.files ?? []));
    assert.deepEqual(
      all.filter((f) => !fast.has(f) && !f.endsWith(".fulltest.ts")),
      [],
      "in no tier of npm test",
    );
    assert.deepEqual(
      all.filter((f) => !full.has(f)),
      [],
      "in no tier of test:full",
    );
    assert.ok(all.some((f) => f.endsWith(".fulltest.ts")) && [...fast].every((f) => !f.endsWith(".fulltest.ts")));
  });

  it("run the tests whose results depend on the backend again on wasm, and only those", () => {
    const wasm = tiers({ full: false }).find((t) => t.name === "unit:wasm");
    assert.deepEqual(wasm?.env, { CVAE_BACKEND: "wasm" });
    assert.deepEqual(wasm?.files, backendTests());
    for (const f of [
      "test/train/loop.test.ts",
      "test/train/seeds.test.ts",
      "test/analysis/condition-kinds.test.ts",
      "test/cli/model.test.ts",
    ])
      assert.ok(backendTests().includes(f), `${f} trains`);
    // The model's tests run every provider by name, and the backend's own tests set CVAE_BACKEND themselves.
    for (const f of [
      "test/model/gemm.test.ts",
      "test/model/backend.test.ts",
      "test/data/store.test.ts",
      "test/analysis/claims/claims.test.ts",
    ])
      assert.ok(!backendTests().includes(f), `${f} picks no backend`);
  });

  it("tell a file that picks the backend by what it imports from lib/", () => {
    assert.ok(picksBackend('import { train, type TrainResult } from "../../lib/train/loop";'));
    assert.ok(picksBackend('import {\n  describeBackend,\n  initBackend,\n} from "../../lib/model/backend";'));
    assert.ok(!picksBackend('import type { TrainResult } from "../../lib/train/loop";'));
    assert.ok(!picksBackend('import { trainingSummary } from "../../lib/train/progress";'));
    assert.ok(!picksBackend('import { train } from "./elsewhere";'));
  });

  it("have unique names, and each runs files or a command", () => {
    for (const full of [false, true]) {
      const all = tiers({ full });
      assert.equal(new Set(all.map((t) => t.name)).size, all.length);
      for (const t of all) assert.ok((t.files?.length ?? 0) > 0 !== (t.command !== undefined), t.name);
    }
  });
});

describe("parseRunArgs(argv)", () => {
  it("reads --full, --no-skips, --only and --jobs, each changing what it says", () => {
    assert.deepEqual(parseRunArgs([]), { full: false, noSkips: false, only: null, jobs: 2 });
    assert.equal(parseRunArgs(["--full"]).full, true);
    assert.equal(parseRunArgs(["--no-skips"]).noSkips, true);
    assert.deepEqual(parseRunArgs(["--only=unit,lint"]).only, ["unit", "lint"]);
    assert.equal(parseRunArgs(["--jobs=3"]).jobs, 3);
  });

  it("refuses an unknown argument, a bad job count and an unknown tier, naming them", () => {
    assert.throws(() => parseRunArgs(["--fast"]), /bad argument "--fast"; usage: npm test/);
    assert.throws(() => parseRunArgs(["--jobs=0"]), /bad argument "--jobs=0"/);
    assert.throws(() => parseRunArgs(["--jobs=two"]), /bad argument "--jobs=two"/);
    assert.throws(() => parseRunArgs(["--only="]), /bad argument "--only="/);
    assert.throws(() => parseRunArgs(["--only=units"]), /unknown tier units; tiers: notebooks, typecheck/);
    assert.throws(() => parseRunArgs(["--only=notebooks:full"]), /unknown tier notebooks:full/, "a full tier needs --full");
    assert.deepEqual(parseRunArgs(["--full", "--only=notebooks:full"]).only, ["notebooks:full"]);
  });
});

describe("parseTap(text)", () => {
  const TAP = [
    "TAP version 13",
    "# Subtest: group \\# one",
    "    # Subtest: passes",
    "    ok 1 - passes",
    "    # Subtest: skips",
    "    ok 2 - skips # SKIP chromium is not installed",
    "    # Subtest: a \\# SKIP in a name",
    "    ok 3 - a \\# SKIP in a name",
    "    1..3",
    "ok 1 - group \\# one",
    "# Subtest: bare skip",
    "ok 2 - bare skip # SKIP",
    "# Subtest: fails",
    "not ok 3 - fails",
    "1..3",
    "# tests 5",
    "# suites 1",
    "# pass 3",
    "# fail 1",
    "# cancelled 0",
    "# skipped 2",
  ].join("\n");

  it("reads the counts and each skipped test with its suite path and reason", () => {
    const s = parseTap(TAP);
    assert.deepEqual([s.tests, s.pass, s.fail, s.cancelled], [5, 3, 1, 0]);
    assert.deepEqual(s.skipped, [
      { name: "group # one > skips", reason: "chromium is not installed" },
      { name: "bare skip", reason: "" },
    ]);
  });

  it("gives zeros and no skips for empty input", () => {
    assert.deepEqual(parseTap(""), { tests: 0, pass: 0, fail: 0, cancelled: 0, skipped: [] });
  });
});
