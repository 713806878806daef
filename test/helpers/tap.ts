// Reads the TAP that node's test runner writes (`--test-reporter=tap`): the run's counts and
// every skipped test with its suite path and reason, for the summary of test/run.ts.

export interface TapSummary {
  tests: number;
  pass: number;
  fail: number;
  cancelled: number;
  /** Skipped tests: "suite > test" and the reason given to skip(). */
  skipped: { name: string; reason: string }[];
}

// "ok 2 - name # SKIP reason"; a "#" inside a name is escaped as "\#".
const RESULT = /^( *)(?:not )?ok \d+ - ((?:[^#\\]|\\.)*?)(?: # (SKIP|TODO)\b ?(.*))?$/;
const SUBTEST = /^( *)# Subtest: (.*)$/;
const COUNT = /^# (tests|pass|fail|cancelled) (\d+)$/;

const unescape = (s: string) => s.replace(/\\(.)/g, "$1");

/** The counts (from the trailer node prints) and the skipped tests of one TAP stream. */
export function parseTap(text: string): TapSummary {
  const counts: Record<string, number> = { tests: 0, pass: 0, fail: 0, cancelled: 0 };
  const skipped: TapSummary["skipped"] = [];
  const path: string[] = []; // names of the enclosing subtests, by depth (4 spaces a level)
  for (const line of text.split("\n")) {
    const sub = SUBTEST.exec(line);
    if (sub) {
      const depth = sub[1].length / 4;
      path.length = depth;
      path[depth] = unescape(sub[2]);
      continue;
    }
    const result = RESULT.exec(line);
    if (result) {
      const depth = result[1].length / 4;
      if (result[3] === "SKIP") skipped.push({ name: [...path.slice(0, depth), unescape(result[2])].join(" > "), reason: result[4] ?? "" });
      continue;
    }
    const count = COUNT.exec(line);
    if (count) counts[count[1]] += Number(count[2]);
  }
  return { tests: counts.tests, pass: counts.pass, fail: counts.fail, cancelled: counts.cancelled, skipped };
}
