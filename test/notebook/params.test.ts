import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeParams, notebookParams, NOTEBOOK_PARAMS_ENV } from "../../lib/notebook/params";

const defaults = { dataset: "synthetic", epochs: 10, fast: false, heldout: null as number | null, genres: ["Drama"] };

describe("notebookParams(notebook, defaults, env)", () => {
  it("returns the defaults when no parameters were passed", () => {
    assert.deepEqual(notebookParams("03-training", defaults, {}), defaults);
  });
  it("merges typed values from CVAE_NB_PARAMS", () => {
    const env = { [NOTEBOOK_PARAMS_ENV]: JSON.stringify({ epochs: "5", fast: "true" }) };
    assert.deepEqual(notebookParams("03-training", defaults, env), { ...defaults, epochs: 5, fast: true });
  });
  it("rejects an unknown parameter, listing the notebook's parameters and how to scope one", () => {
    const env = { [NOTEBOOK_PARAMS_ENV]: JSON.stringify({ beta: "0.1" }) };
    assert.throws(
      () => notebookParams("03-training", defaults, env),
      new RegExp(
        'notebook 03-training: unknown parameter "beta"; this notebook\'s parameters are: dataset, epochs, fast, heldout, genres\\. ' +
          "To pass a parameter to one notebook only, write --param 03-training:beta=\\.\\.\\.",
      ),
    );
  });
  it("rejects a malformed CVAE_NB_PARAMS", () => {
    assert.throws(() => notebookParams("x", defaults, { [NOTEBOOK_PARAMS_ENV]: "[1]" }), /must hold a JSON object/);
  });
});

describe("describeParams(defaults, params)", () => {
  it("marks overridden values with their default", () => {
    const text = describeParams(defaults, { ...defaults, epochs: 5 });
    assert.match(text, /epochs = 5 {3}\(overridden; default 10\)/);
    assert.match(text, /dataset = "synthetic"\n/);
  });
});
