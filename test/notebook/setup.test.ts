import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { trainBetterHint, versions } from "../../lib/notebook/setup";

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
