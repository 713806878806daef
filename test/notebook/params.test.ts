import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeParams, notebookParams, NOTEBOOK_PARAMS_ENV, notebookTrainConfig, trainingParams } from "../../lib/notebook/params";
import type { Field } from "../../lib/core/fields";
import { defaultTrainConfig, presetConfig, TRAIN_FIELDS } from "../../lib/train/config";
import { otherValue } from "../helpers/fields";

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

describe("trainingParams(notebook, defaults, env) and notebookTrainConfig(params, names)", () => {
  const nb03 = { dataset: "synthetic", preset: "paper", run: "cvae", epochs: 0, seed: 98765, multVae: true };
  const env = (given: Record<string, string>) => ({ [NOTEBOOK_PARAMS_ENV]: JSON.stringify(given) });
  const names = { dataset: "ml-small", run: "cvae-ml-small" };

  it("accepts every training setting as a --param, read and checked by its row of TRAIN_FIELDS", () => {
    const p = trainingParams("03-training", nb03, env({ latent: "16", hidden: "32", beta: "0.01", workers: "0", sampler: "balanced" }));
    assert.deepEqual([p.latent, p.hidden, p.beta, p.workers, p.sampler], [16, 32, { kind: "fixed", value: 0.01 }, 0, "balanced"]);
    const c = notebookTrainConfig(p, names);
    assert.deepEqual([c.latent, c.hidden, c.workers, c.sampler], [16, 32, 0, "balanced"]);
    assert.deepEqual(c.beta, { kind: "fixed", value: 0.01 });
    assert.deepEqual([c.dataset, c.run], ["ml-small", "cvae-ml-small"], "the derived names win over the parameters'");
  });

  it("can set each field of TRAIN_FIELDS from a notebook (all but the derived data set and run)", () => {
    // A value other than the default for each field, written from its row (test/helpers/fields.ts) or here for a schedule.
    const written: Record<string, string> = { beta: '{"kind":"anneal","cap":0.3,"steps":1000}' };
    const values: Record<string, string> = {};
    for (const [key, field] of Object.entries(TRAIN_FIELDS) as [string, Field][])
      if (key !== "dataset" && key !== "run") values[key] = written[key] ?? otherValue(field);
    const c = notebookTrainConfig(trainingParams("03-training", nb03, env(values)), names) as unknown as Record<string, unknown>;
    const d = defaultTrainConfig() as unknown as Record<string, unknown>;
    for (const key of Object.keys(values)) {
      assert.notDeepEqual(c[key], d[key], `${key} changes the config`);
      if (!(key in written)) assert.equal(String(c[key]), values[key], `${key}=${values[key]} sets ${key}`);
    }
    assert.deepEqual(c.beta, { kind: "anneal", cap: 0.3, steps: 1000 });
  });

  it("names the parameter and the range of a bad value", () => {
    assert.throws(() => trainingParams("03-training", nb03, env({ latent: "0" })), {
      message: 'notebook 03-training: parameter "latent" must be a positive integer, got "0"',
    });
    assert.throws(() => trainingParams("03-training", nb03, env({ dropout: "1" })), /parameter "dropout" must be in \[0, 1\)/);
    assert.throws(
      () => trainingParams("03-training", nb03, env({ lattent: "8" })),
      /unknown parameter "lattent".*any setting of its table/,
    );
  });

  it("keeps the notebook's own parameters first: epochs 0 means the preset's, the seed goes through", () => {
    assert.deepEqual(notebookTrainConfig(nb03, names), presetConfig("paper", names));
    assert.equal(notebookTrainConfig({ ...nb03, preset: "quick" }, names).epochs, 5);
    assert.equal(notebookTrainConfig({ ...nb03, preset: "quick", epochs: 3, seed: 4 }, names).epochs, 3);
    assert.equal(notebookTrainConfig({ ...nb03, seed: 4 }, names).seed, 4);
  });
});

describe("describeParams(defaults, params)", () => {
  it("marks overridden values with their default", () => {
    const text = describeParams(defaults, { ...defaults, epochs: 5 });
    assert.match(text, /epochs = 5 {3}\(overridden; default 10\)/);
    assert.match(text, /dataset = "synthetic"\n/);
  });
});
