// The hostile-input corpus (corpus.ts) against this checkout: every case ends in a clear
// error naming the file, line or flag, or in a checked correct result; none is silently
// wrong, crashes, or touches anything outside the folders the command owns.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CASES, type CaseResult, GROUPS, runCorpus, selectedCases } from "./corpus";

describe(`the hostile-input corpus (${CASES.length} cases)`, () => {
  let results: CaseResult[] = [];

  it("has at least 60 cases, with unique ids, in every class of the issue", () => {
    assert.ok(CASES.length >= 60, `${CASES.length} cases`);
    assert.equal(new Set(CASES.map((c) => c.id)).size, CASES.length);
    assert.deepEqual(
      GROUPS.filter((g) => !CASES.some((c) => c.group === g)),
      [],
      "classes without a case",
    );
  });

  it("ends every case in a clear error or a correct result", { timeout: 30 * 60_000 }, async () => {
    results = await runCorpus(join(__dirname, "..", ".."), selectedCases());
    const bad = results.filter((r) => r.outcome !== "clear error" && r.outcome !== "correct");
    for (const r of results) console.log(`${r.id.padEnd(5)} ${r.outcome.padEnd(20)} ${r.title}  |  ${r.detail}`);
    assert.deepEqual(
      bad.map((r) => `${r.id} ${r.title}: ${r.outcome} (${r.detail})`),
      [],
    );
  });
});
