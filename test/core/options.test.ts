import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mergeOptions, parseParamValue } from "../../lib/core/options";

const defaults = { dataset: "synthetic", epochs: 10, fast: false, heldout: null as number | null, genres: ["Drama"] };

describe("mergeOptions(defaults, overrides, context)", () => {
  it("applies known keys and keeps the rest", () => {
    assert.deepEqual(mergeOptions(defaults, { epochs: 3 }, "cfg"), { ...defaults, epochs: 3 });
  });
  it("rejects an unknown key and names it with the known keys", () => {
    assert.throws(
      () => mergeOptions(defaults, { epoch: 3 }, "train config"),
      /train config: unknown key "epoch"; known keys: dataset, epochs/,
    );
  });
  it("rejects a value of another type than the default", () => {
    assert.throws(() => mergeOptions(defaults, { epochs: "3" }, "cfg"), /cfg: "epochs" must be a number, got string "3"/);
  });
  it("lets a null default take any value", () => {
    assert.equal(mergeOptions(defaults, { heldout: 100 }, "cfg").heldout, 100);
  });
});

describe("parseParamValue(raw, like, key, context)", () => {
  it("reads numbers, booleans, strings and arrays by the default's type", () => {
    assert.equal(parseParamValue("1e-3", 1, "lr", "nb"), 0.001);
    assert.equal(parseParamValue("true", false, "fast", "nb"), true);
    assert.equal(parseParamValue("ml-20m", "x", "dataset", "nb"), "ml-20m");
    assert.deepEqual(parseParamValue('["War","Drama"]', [], "genres", "nb"), ["War", "Drama"]);
    assert.equal(parseParamValue("100", null, "heldout", "nb"), 100);
    assert.equal(parseParamValue("auto", null, "heldout", "nb"), "auto");
  });
  it("rejects text that is not of the default's type, naming the parameter", () => {
    assert.throws(
      () => parseParamValue("ten", 1, "epochs", "notebook 03-training"),
      /notebook 03-training: parameter "epochs" expects a finite number, got "ten"/,
    );
    assert.throws(() => parseParamValue("", 1, "epochs", "nb"), /finite number/);
    assert.throws(() => parseParamValue("yes", false, "fast", "nb"), /true or false/);
    assert.throws(() => parseParamValue("{", [], "genres", "nb"), /JSON array/);
  });
});
