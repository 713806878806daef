import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { sumOf } from "../../lib/core/checksum";
import { textSums } from "../../lib/core/checksum";
import { writeFileAtomic } from "../../lib/core/fs";
import { Rng } from "../../lib/core/rng";
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  checkVocabulary,
  loadModelCheckpoint,
  readCheckpointJson,
  runName,
  vocabularyOf,
} from "../../lib/model/checkpoint";
import { initParams, paramLayout } from "../../lib/model/parameters";
import { withEnv } from "../helpers/env";
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

  type Edit = (meta: Record<string, unknown>) => Record<string, unknown>;
  /**
   * A folder holding only what the model reads (no training position, history or Adam state), as `edit`
   * changes it before the fields' checksums are taken (as if written so) and `after` changes it after.
   */
  function folder(edit: Edit = (m) => m, after: Edit = (m) => m, bestBytes?: Buffer): { dir: string; best: Float32Array } {
    const dir = tempDir("model-ck-");
    const best = initParams(paramLayout(dims), new Rng(3));
    const state = Buffer.from("the training state, unread by the model");
    const bytes = bestBytes ?? Buffer.from(best.buffer);
    writeFileSync(join(dir, "state.bin"), state);
    writeFileSync(join(dir, "best.bin"), bytes);
    const meta = edit({
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      config,
      dims: storedDims,
      vocabulary,
      position: { epoch: 2, finished: true, bestEpoch: 2 },
      files: { "state.bin": sumOf(state), "best.bin": sumOf(bytes) },
    });
    writeFileAtomic(join(dir, "checkpoint.json"), JSON.stringify(after({ ...meta, sums: textSums(meta) })));
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

  it("names the field of checkpoint.json that changed, was added or went missing after it was written", () => {
    const cases: [Edit, RegExp][] = [
      [
        (m) => ({ ...m, config: { ...config, hidden: 5 } }),
        /checkpoint\.json: config\.hidden does not match its checksum \(1 bytes, CRC-32 [0-9a-f]{8}; 1 bytes, [0-9a-f]{8} recorded\)/,
      ],
      [
        (m) => ({ ...m, vocabulary: { ...vocabulary, genres: ["a", "B"] } }),
        /checkpoint\.json: vocabulary\.genres does not match its checksum/,
      ],
      [
        (m) => ({ ...m, position: { epoch: 2, finished: false, bestEpoch: 2 } }),
        /checkpoint\.json: position\.finished does not match its checksum/,
      ],
      [(m) => ({ ...m, note: "mine" }), /checkpoint\.json: note has no checksum in sums: it was added by hand/],
      [({ created: _c, ...m }) => m, /checkpoint\.json: created is missing \(sums records its checksum\)/],
    ];
    for (const [after, message] of cases) {
      const { dir } = folder((m) => ({ ...m, created: "then" }), after);
      assert.throws(() => loadModelCheckpoint(dir), message);
      assert.throws(
        () => loadModelCheckpoint(dir),
        /only cvae-lens writes checkpoint\.json: restore it, or train the run again \(cvae train --restart\)/,
      );
    }
  });

  it("loads a version 2 checkpoint (written before the fields' checksums) without that check", () => {
    const { dir } = folder(
      (m) => ({ ...m, version: 2 }),
      ({ sums: _s, ...m }) => ({ ...m, config: { ...config, dropout: 0.25 } }),
    );
    assert.equal(loadModelCheckpoint(dir).config.dropout, 0.25);
    const { dir: v3 } = folder(undefined, ({ sums: _s, ...m }) => m);
    assert.throws(() => loadModelCheckpoint(v3), /checkpoint\.json: sums \(its fields' checksums\) must be an object, got nothing/);
  });

  it("names the dims that the stored config and vocabulary do not make (negative, or another size)", () => {
    const dimsOf =
      (d: Partial<typeof storedDims>): Edit =>
      (m) => ({ ...m, dims: { ...storedDims, ...d } });
    assert.throws(
      () => loadModelCheckpoint(folder(dimsOf({ hidden: -4 })).dir),
      /checkpoint\.json: dims\.hidden is -4, but config\.hidden make 4/,
    );
    assert.throws(
      () => loadModelCheckpoint(folder(dimsOf({ items: 7 })).dir),
      /checkpoint\.json: dims\.items is 7, but the items of vocabulary\.itemMovieIds make 6; the checkpoint is damaged/,
    );
    assert.throws(
      () => loadModelCheckpoint(folder(dimsOf({ conditions: 0 })).dir),
      /dims\.conditions is 0, but the labels of vocabulary\.genres/,
    );
  });

  it("names checkpoint.json's dims, not the weights, when a best.bin that matches its checksum is of another size", () => {
    const { dir } = folder(undefined, undefined, Buffer.alloc(40));
    assert.throws(
      () => loadModelCheckpoint(dir),
      /checkpoint\.json: dims do not fit best\.bin \(40 bytes; checkpoint\.json's dims \(items 6, conditions 2, hidden 4, latent 2\) need/,
    );
  });

  it("names a position past its own end: a best epoch after the last, a negative count", () => {
    const at =
      (position: object): Edit =>
      (m) => ({ ...m, position });
    const late = folder(at({ epoch: 2, finished: true, bestEpoch: 3 })).dir;
    assert.throws(() => loadModelCheckpoint(late), /checkpoint\.json: position\.bestEpoch is 3, past position\.epoch \(2\)/);
    const negative = folder(at({ epoch: -1, finished: true, bestEpoch: -1 })).dir;
    assert.throws(() => loadModelCheckpoint(negative), /checkpoint\.json: position\.epoch is -1, a count below 0/);
  });

  it("a folder holding weights but no checkpoint.json is an error naming it and both ways out, even where a missing run is none", () => {
    const { dir } = folder();
    rmSync(join(dir, "checkpoint.json"));
    const wayOut = /holds best\.bin, state\.bin but no checkpoint\.json.*restore checkpoint\.json, or train with --restart/;
    assert.throws(() => loadModelCheckpoint(dir), wayOut);
    assert.throws(() => readCheckpointJson(dir, "any", { missingOk: true }), wayOut);
    const empty = tempDir("model-ck-");
    assert.equal(readCheckpointJson(empty, "any", { missingOk: true }), null, "an empty folder holds no run");
    assert.equal(readCheckpointJson(join(empty, "none"), "any", { missingOk: true }), null, "nor does a missing one");
    writeFileSync(join(empty, "file"), "");
    assert.throws(() => readCheckpointJson(join(empty, "file"), "any", { missingOk: true }), /file: a file, where a run folder belongs/);
  });

  it("names the missing binary file and both ways out", () => {
    const { dir } = folder();
    rmSync(join(dir, "state.bin"));
    assert.throws(
      () => loadModelCheckpoint(dir),
      /state\.bin: missing; the checkpoint is incomplete; restore state\.bin, or train the run again/,
    );
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

  it("knows the source after the data folder was copied: 'prepared again', and the prepare command names the copy's folder", async () => {
    const root = tempDir("vocab-data-");
    const trained = { ...genre, contentId: "00000001aaaaaaaa", source: { ...genre.source, folder: join(root, "old", "raw", "s") } };
    const v = await withEnv("CVAE_DATA_DIR", join(root, "old"), () => vocabularyOf(trained));
    assert.equal(v.datasetDataPath, "raw/s");
    mkdirSync(join(root, "copy", "raw", "s"), { recursive: true });
    const resplit = { ...trained, contentId: "00000002bbbbbbbb", source: { ...genre.source, folder: join(root, "copy", "raw", "s") } };
    await withEnv("CVAE_DATA_DIR", join(root, "copy"), () =>
      assert.throws(
        () => checkVocabulary({ vocabulary: v, config: { run: "r" } }, resplit, "m"),
        (err: Error) =>
          err.message.includes(`prepared again from ${join(root, "copy", "raw", "s")} with other options`) &&
          err.message.includes(`(cvae data prepare ${join(root, "copy", "raw", "s")} --name ml-small --replace`),
      ),
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
