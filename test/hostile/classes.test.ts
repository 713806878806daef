// environment.md's table of the hostile corpus names every class with its count of cases, and the total.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CASES, GROUPS } from "./corpus";

const ENVIRONMENT = readFileSync(join(__dirname, "..", "..", "environment.md"), "utf8");

describe("environment.md's account of the hostile corpus", () => {
  it("lists every class with the number of cases it holds", () => {
    const rows = new Map([...ENVIRONMENT.matchAll(/^\| (\d+ [^|]+?) \| (\d+) \|/gm)].map((m) => [m[1], Number(m[2])]));
    assert.deepEqual(
      GROUPS.map((g) => [g, rows.get(g)]),
      GROUPS.map((g) => [g, CASES.filter((c) => c.group === g).length]),
    );
  });

  it("states the total where it describes the corpus and the hostile tier", () => {
    assert.match(ENVIRONMENT, new RegExp(`holds\\s+${CASES.length}\\s+cases`));
    assert.match(ENVIRONMENT, new RegExp(`\\| hostile \\| ${CASES.length} hostile command lines in ${GROUPS.length} classes`));
  });
});
