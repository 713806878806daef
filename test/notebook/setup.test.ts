import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { recordResults, trainBetterHint, versions } from "../../lib/notebook/setup";
import { tempDir } from "../helpers/temp";

describe("recordResults(notebook, results)", () => {
  it("writes data/metrics/<notebook>.json under CVAE_DATA_DIR", (t) => {
    const dir = tempDir("metrics-");
    t.mock.method(console, "log", () => undefined);
    const saved = process.env.CVAE_DATA_DIR;
    process.env.CVAE_DATA_DIR = dir;
    try {
      recordResults("99-test", { ndcg: 0.42, dataset: "synthetic" });
    } finally {
      if (saved === undefined) delete process.env.CVAE_DATA_DIR;
      else process.env.CVAE_DATA_DIR = saved;
    }
    const record = JSON.parse(readFileSync(join(dir, "metrics", "99-test.json"), "utf8"));
    assert.deepEqual(record.results, { ndcg: 0.42, dataset: "synthetic" });
    assert.equal(record.notebook, "99-test");
  });
});

describe("versions()", () => {
  it("reports the project, Node, tslab's TypeScript and tfjs versions", () => {
    const v = versions();
    assert.equal(v.node, process.version);
    assert.equal(v.tslab, "1.0.22");
    assert.match(v["typescript (tslab)"], /^5\./);
    assert.equal(v.tfjs, "4.22.0");
  });
});

describe("trainBetterHint(preset)", () => {
  it("tells a quick run to use the paper preset, and a converged one to give more epochs, in notebook parameters", () => {
    assert.match(trainBetterHint("quick"), /set preset: "paper" in the parameters cell/);
    assert.match(trainBetterHint("paper"), /larger epoch budget \(epochs\)/);
    assert.doesNotMatch(trainBetterHint("quick") + trainBetterHint("paper"), /--/);
  });
});
