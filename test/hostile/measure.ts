// `node --import tsx test/hostile/measure.ts TREE [OUT.json]`: runs the corpus against the
// CLI of another checkout (e.g. an older commit in a worktree) and prints its outcomes, for
// before/after tables. CORPUS_ONLY=2.39,7 runs the cases whose id or group starts so.
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { runCorpus, selectedCases } from "./corpus";

const [tree, out] = process.argv.slice(2);
if (!tree) throw new Error("usage: measure.ts TREE [OUT.json]");
runCorpus(resolve(tree), selectedCases()).then((results) => {
  for (const r of results) console.log(`${r.id}\t${r.outcome}\t${r.title}\t${r.detail}`);
  if (out) writeFileSync(out, JSON.stringify(results, null, 1));
});
