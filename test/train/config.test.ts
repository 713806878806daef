import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fieldProblem, fieldsMarkdown, type Field } from "../../lib/core/fields";
import { MODEL_FIELDS } from "../../lib/model/config";
import { defaultTrainConfig, makeTrainConfig, presetConfig, type Sampler, TRAIN_FIELDS, type TrainConfig } from "../../lib/train/config";

/** Asserts that `fn` throws an error whose message contains every one of `parts`. */
function throwsNaming(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (err: Error) => {
    for (const p of parts) assert.ok(err.message.includes(p), `"${err.message}" does not name ${p}`);
    return true;
  });
}

describe("defaultTrainConfig()", () => {
  it(
    "defaultTrainConfig() has the Mult-VAE sizes (hidden 600, latent 200, dropout 0.5, batch 500, lr 1e-3) " +
      "and the paper's schedule to convergence: beta 0.008, up to 100 epochs, early stopping after 10",
    () => {
      const c = defaultTrainConfig();
      assert.equal(c.hidden, 600);
      assert.equal(c.latent, 200);
      assert.equal(c.dropout, 0.5);
      assert.equal(c.batchSize, 500);
      assert.equal(c.lr, 1e-3);
      assert.deepEqual(c.beta, { kind: "fixed", value: 0.008 });
      assert.equal(c.epochs, 100);
      assert.equal(c.patience, 10);
      assert.equal(c.seed, 98765);
      assert.equal(c.sampler, "full");
      assert.equal(c.conditioned, true);
    },
  );

  it('defaultTrainConfig() is the "paper" preset: one default for `cvae train` and notebook 03', () => {
    assert.deepEqual(presetConfig("paper"), defaultTrainConfig());
  });

  it("defaultTrainConfig() returns a fresh object each time (mutating one does not change the next)", () => {
    const a = defaultTrainConfig();
    a.hidden = 7;
    (a.beta as { value: number }).value = 9;
    assert.equal(defaultTrainConfig().hidden, 600);
    assert.deepEqual(defaultTrainConfig().beta, { kind: "fixed", value: 0.008 });
  });
});

describe("TRAIN_FIELDS", () => {
  it("gives every training setting (one row per key, by its type FieldTable) help and the reason for its default", () => {
    for (const [key, field] of Object.entries(TRAIN_FIELDS) as [string, Field][]) {
      assert.ok(field.help.length > 5 && field.reason.length > 5, `${key} has help and a reason`);
      assert.equal(fieldProblem(field, field.default), null, `${key}'s default passes its own check`);
    }
  });

  it("keeps the order of stored configs: a config stored before (test/fixtures/train-config.json) keeps its keys' order, and loads", () => {
    const stored = JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "train-config.json"), "utf8")) as Partial<TrainConfig>;
    assert.deepEqual(
      Object.keys(TRAIN_FIELDS).filter((k) => k in stored),
      Object.keys(stored),
      "the stored keys in TRAIN_FIELDS' order (a new setting may go anywhere)",
    );
    assert.deepEqual(Object.keys(makeTrainConfig(stored)), Object.keys(TRAIN_FIELDS));
  });

  it("is the table README's training settings show (a new row shows there too)", () => {
    const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
    const block = /<!-- training-settings:start -->\n([\s\S]*?)\n<!-- training-settings:end -->/.exec(readme)?.[1];
    assert.equal(block, fieldsMarkdown(TRAIN_FIELDS), "README.md's settings table: paste the expected text between its markers");
  });

  it("takes the model's fields from the model's own table (one row each)", () => {
    for (const key of Object.keys(MODEL_FIELDS) as (keyof typeof MODEL_FIELDS)[])
      assert.equal(TRAIN_FIELDS[key].default, MODEL_FIELDS[key].default, key);
  });
});

describe("makeTrainConfig(overrides)", () => {
  it("makeTrainConfig({}) gives the defaults and applies overrides", () => {
    assert.deepEqual(makeTrainConfig(), defaultTrainConfig());
    const c = makeTrainConfig({ dataset: "ml-small", hidden: 16, latent: 4, sampler: "one-genre" });
    assert.deepEqual([c.dataset, c.hidden, c.latent, c.sampler, c.batchSize], ["ml-small", 16, 4, "one-genre", 500]);
  });

  it("makeTrainConfig rejects an unknown key, naming it", () => {
    throwsNaming(() => makeTrainConfig({ hiden: 600 } as Partial<TrainConfig>), '"hiden"');
  });

  it("makeTrainConfig rejects a value of the wrong type, naming the key", () => {
    throwsNaming(() => makeTrainConfig({ hidden: "600" } as unknown as Partial<TrainConfig>), "hidden");
  });

  it("makeTrainConfig rejects impossible values with the key in the message", () => {
    const cases: [Partial<TrainConfig>, keyof TrainConfig][] = [
      [{ dropout: 1 }, "dropout"],
      [{ dropout: -0.1 }, "dropout"],
      [{ batchSize: 0 }, "batchSize"],
      [{ batchSize: 2.5 }, "batchSize"],
      [{ hidden: 10, latent: 20 }, "latent"],
      [{ lr: 0 }, "lr"],
      [{ lr: Infinity }, "lr"],
      [{ sampler: "random" as Sampler }, "sampler"],
      [{ workers: 5 }, "workers"],
      [{ workers: "5" as unknown as number }, "workers"],
      [{ workers: "many" as unknown as number }, "workers"],
      [{ run: "../x" }, "run"],
      [{ run: "a/b" }, "run"],
      [{ run: "" }, "run"],
      [{ subsample: 0 }, "subsample"],
      [{ epochs: 0 }, "epochs"],
      [{ patience: -1 }, "patience"],
      [{ seed: -1 }, "seed"],
      [{ dataset: "" }, "dataset"],
    ];
    for (const [overrides, key] of cases) {
      assert.throws(
        () => makeTrainConfig(overrides),
        (err: Error) => err instanceof RangeError && err.message.includes(key),
        `${JSON.stringify(overrides)} should be rejected naming ${key}`,
      );
    }
  });

  it("makeTrainConfig rejects a beta schedule it cannot use, naming the field", () => {
    throwsNaming(() => makeTrainConfig({ beta: { kind: "anneal", cap: 0.2, steps: 0 } }), "steps");
    throwsNaming(() => makeTrainConfig({ beta: { kind: "fixed", value: -1 } }), "fixed value");
  });

  it("makeTrainConfig reads a number for beta as a fixed beta, as the field's help says (a --config file may give one)", () => {
    assert.deepEqual(makeTrainConfig({ beta: 0.5 } as unknown as Partial<TrainConfig>).beta, { kind: "fixed", value: 0.5 });
    throwsNaming(() => makeTrainConfig({ beta: -1 } as unknown as Partial<TrainConfig>), "fixed value");
    assert.throws(() => makeTrainConfig({ beta: "0.5" } as unknown as Partial<TrainConfig>), /"beta" must be an object, got string "0\.5"/);
  });

  it("makeTrainConfig accepts latent equal to hidden and dropout 0", () => {
    const c = makeTrainConfig({ hidden: 8, latent: 8, dropout: 0 });
    assert.deepEqual([c.hidden, c.latent, c.dropout], [8, 8, 0]);
  });

  it('makeTrainConfig accepts workers "auto", 0, 1 and the string "1" (read as 1)', () => {
    assert.equal(makeTrainConfig({ workers: "auto" }).workers, "auto");
    assert.equal(makeTrainConfig({ workers: 0 }).workers, 0);
    assert.equal(makeTrainConfig({ workers: 1 }).workers, 1);
    assert.equal(makeTrainConfig({ workers: "1" as unknown as number }).workers, 1);
    assert.equal(makeTrainConfig({ workers: "0" as unknown as number }).workers, 0);
  });

  it('makeTrainConfig rejects run "." and ".." (they name data/models itself or data/, which a checkpoint save would replace)', () => {
    for (const run of [".", ".."]) assert.throws(() => makeTrainConfig({ run }), /run/, `run ${JSON.stringify(run)}`);
  });
});

describe("presetConfig(preset, overrides)", () => {
  it(
    'presetConfig("quick") trains 5 epochs with the paper beta and no ' +
      'early stopping; presetConfig("paper") up to 100 with patience 10',
    () => {
      const q = presetConfig("quick");
      assert.deepEqual([q.epochs, q.patience, q.sampler, q.beta], [5, 0, "full", { kind: "fixed", value: 0.008 }]);
      const p = presetConfig("paper", { dataset: "ml-20m" });
      assert.deepEqual([p.epochs, p.patience, p.dataset, p.beta], [100, 10, "ml-20m", { kind: "fixed", value: 0.008 }]);
    },
  );

  it("presetConfig rejects an unknown preset, listing the presets", () => {
    throwsNaming(() => presetConfig("fast"), '"fast"', "quick", "paper");
  });
});
