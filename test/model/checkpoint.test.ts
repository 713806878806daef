import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { sumOf } from "../../lib/core/checksum";
import { writeFileAtomic } from "../../lib/core/fs";
import { Rng } from "../../lib/core/rng";
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  checkVocabulary,
  loadModelCheckpoint,
  runName,
  vocabularyOf,
} from "../../lib/model/checkpoint";
import { initParams, paramLayout } from "../../lib/model/parameters";
import { smallDataset } from "../helpers/small-model";
import { tempDir } from "../helpers/temp";

describe("runName(dataset, prefix)", () => {
  it("names a run <prefix>-<dataset>, cvae by default (notebooks 03-05 and the CLI)", () => {
    assert.equal(runName("synthetic"), "cvae-synthetic");
    assert.equal(runName("ml-1m", "mult"), "mult-ml-1m");
  });
});

describe("loadModelCheckpoint(dir): the model's part of a checkpoint folder", () => {
  const dims = { items: 6, conditions: 2, hidden: 4, latentDim: 2 };
  /** The same dims as checkpoint.json stores them: the latent size under `latent`. */
  const storedDims = { items: 6, conditions: 2, hidden: 4, latent: 2 };
  const size = paramLayout(dims).size;
  const config = { conditioned: true, hidden: 4, latent: 2, dropout: 0.5, seed: 1, dataset: "toy", run: "toy-run", epochs: 3, patience: 0 };
  const vocabulary = { dataset: "toy", itemMovieIds: [1, 2, 3, 4, 5, 6], genres: ["a", "b"] };

  /** A folder holding only what the model reads (no training position, history or Adam state), as `edit` changes it. */
  function folder(edit: (meta: Record<string, unknown>) => Record<string, unknown> = (m) => m): { dir: string; best: Float32Array } {
    const dir = tempDir("model-ck-");
    const best = initParams(paramLayout(dims), new Rng(3));
    const state = Buffer.from("the training state, unread by the model");
    const bestBytes = Buffer.from(best.buffer);
    writeFileSync(join(dir, "state.bin"), state);
    writeFileSync(join(dir, "best.bin"), bestBytes);
    const meta = {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      config,
      dims: storedDims,
      vocabulary,
      position: { epoch: 2, finished: true, bestEpoch: 2 },
      files: { "state.bin": sumOf(state), "best.bin": sumOf(bestBytes) },
    };
    writeFileAtomic(join(dir, "checkpoint.json"), JSON.stringify(edit(meta)));
    return { dir, best };
  }

  it("reads the config's model fields and run summary, the dims, the vocabulary, how far training got and the best weights", () => {
    const { dir, best } = folder();
    const ck = loadModelCheckpoint(dir);
    assert.deepEqual(
      [ck.config, ck.dims, ck.vocabulary, ck.position],
      [config, dims, vocabulary, { epoch: 2, finished: true, bestEpoch: 2 }],
    );
    assert.equal(ck.best.length, size);
    assert.deepEqual(Array.from(ck.best), Array.from(best));
  });

  it("checks the model's settings as the training config's validator words them, naming the file", () => {
    const { dir } = folder((m) => ({ ...m, config: { ...config, latent: 5 } }));
    assert.throws(
      () => loadModelCheckpoint(dir),
      /checkpoint\.json: config: train config: latent must not exceed hidden \(4\), got 5; the checkpoint is damaged/,
    );
    const { dir: noEpochs } = folder((m) => ({ ...m, config: { ...config, epochs: "3" } }));
    assert.throws(() => loadModelCheckpoint(noEpochs), /checkpoint\.json: config\.epochs must be an integer, got "3"/);
  });

  it("loads only from a whole folder: a state.bin that does not match its checksum is an error naming it", () => {
    const { dir } = folder();
    writeFileSync(join(dir, "state.bin"), Buffer.from("the training state, unread by the modeL"));
    assert.throws(() => loadModelCheckpoint(dir), /state\.bin: corrupt \(CRC-32 [0-9a-f]{8}, [0-9a-f]{8} recorded\)/);
  });
});

describe("vocabularyOf(ds) and checkVocabulary(checkpoint, ds, where)", () => {
  const genre = smallDataset();
  const daypart = smallDataset({ conditions: "daypart" });

  it("records the condition kind and labels, and accepts the data set it came from", () => {
    const v = vocabularyOf(daypart);
    assert.deepEqual([v.conditionKind, v.genres], ["daypart", ["night", "morning", "afternoon", "evening"]]);
    assert.doesNotThrow(() => checkVocabulary({ vocabulary: v }, daypart, "here"));
  });

  it("refuses a model of another kind over the same items, naming both kinds", () => {
    assert.throws(
      () => checkVocabulary({ vocabulary: vocabularyOf(genre) }, daypart, "data/models/x"),
      /data\/models\/x: the model was trained on data set "ml-small" \(\d+ items, \d+ genres\), not on "ml-small" \(\d+ items, 4 dayparts/,
    );
  });

  it("reads a checkpoint written before condition kinds (no conditionKind) as a genre model", () => {
    const { conditionKind: _k, ...old } = vocabularyOf(genre);
    assert.doesNotThrow(() => checkVocabulary({ vocabulary: old }, genre, "old"));
    assert.throws(() => checkVocabulary({ vocabulary: old }, daypart, "old"), /genres\), not on/);
  });

  it("refuses a model whose data set was replaced since, naming the run, the set, both sources and the two ways out", () => {
    const trained = { ...genre, contentId: "00000001aaaaaaaa", source: { ...genre.source, folder: "/a/ml-small" } };
    const v = vocabularyOf(trained);
    assert.deepEqual([v.datasetId, v.datasetSource], ["00000001aaaaaaaa", "/a/ml-small"]);
    assert.doesNotThrow(() => checkVocabulary({ vocabulary: v, config: { run: "r1" } }, trained, "data/models/r1"));
    const replaced = { ...trained, contentId: "00000002bbbbbbbb", source: { ...genre.source, folder: "/b/ml-small" } };
    assert.throws(() => checkVocabulary({ vocabulary: v, config: { run: "r1" } }, replaced, "data/models/r1"), {
      message:
        'data/models/r1: run "r1" was trained on data set "ml-small" as prepared from /a/ml-small (content 00000001aaaaaaaa), ' +
        'but "ml-small" has been replaced by a set prepared from /b/ml-small (content 00000002bbbbbbbb); the model does not ' +
        "belong to it. Retrain the run (cvae train --run r1 --dataset ml-small --restart), or prepare the old source again " +
        "(cvae data prepare /a/ml-small --name ml-small --replace, with the options it had).",
    });
    const again = { ...replaced, source: trained.source };
    assert.throws(
      () => checkVocabulary({ vocabulary: v }, again, "data/models/r2"),
      /run "r2" .* prepared again from \/a\/ml-small with other/,
    );
  });

  it("loads as before a model or a set without a content id (trained or written before data set format 4)", () => {
    const v = vocabularyOf(genre);
    assert.equal(v.datasetId, undefined, "a set never saved has no id");
    assert.doesNotThrow(() => checkVocabulary({ vocabulary: v }, { ...genre, contentId: "00000002bbbbbbbb" }, "x"));
    const withId = vocabularyOf({ ...genre, contentId: "00000001aaaaaaaa" });
    assert.doesNotThrow(() => checkVocabulary({ vocabulary: withId }, genre, "x"));
  });
});
