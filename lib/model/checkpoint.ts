// A trained model's checkpoint folder under data/models/<run>/, as the model reads it: the
// format (checkpoint.json with a format tag and version; state.bin and best.bin, whose size
// and CRC-32 checkpoint.json records), the model's part of checkpoint.json (its config, the
// dims, the vocabulary it was trained on and how far training got) and the best weights.
// A model loads only from a whole folder: both binary files must match their checksums.
// What training resumes from (the position, the history, the full training config, the
// weights and Adam state in state.bin) and the writing of checkpoints: lib/train/checkpoint.ts.
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { type FileSum, verifySum } from "../core/checksum";
import { recoverDir, requireRegularFile } from "../core/fs";
import { checkName } from "../core/names";
import { dataDir } from "../core/paths";
import { checkShape, FILE_SUMS, readJsonFile, type Shape } from "../core/shape";
import { CONDITION_KINDS, conditionPlural } from "../data/conditions/conditions";
import type { ConditionKind, ProcessedDataset } from "../data/schema";
import { type ModelConfig, validateModelConfig } from "./config";
import { type ModelDims, paramLayout } from "./parameters";

export const CHECKPOINT_FORMAT = "cvae-lens/checkpoint";
/** 2: checkpoint.json records the checksums of state.bin and best.bin (version 1 files load unverified). */
export const CHECKPOINT_VERSION = 2;

/** What identifies the data a model was trained on. */
export interface Vocabulary {
  dataset: string;
  /** The data set's content id (ProcessedDataset.contentId); absent in older checkpoints and for sets before format 4. */
  datasetId?: string;
  /** The folder the data set was prepared from; with datasetId. */
  datasetSource?: string;
  itemMovieIds: number[];
  /** The condition labels, in the model's order (the key predates condition kinds: genres, decades, dayparts...). */
  genres: string[];
  /** What the conditions are; absent in checkpoints written before condition kinds (genre). */
  conditionKind?: ConditionKind;
}

/**
 * A trained model's config: its own settings and, of the run that trained it, the name, data set,
 * epoch budget and patience. checkpoint.json's config is the run's whole training config (a
 * TrainConfig of lib/train/config.ts, which has these fields); a loaded model keeps it as stored
 * but reads and checks only these fields (lib/train/checkpoint.ts's trainConfigOf checks the rest).
 */
export interface TrainedModelConfig extends ModelConfig {
  /** Processed data set the run trained on. */
  dataset: string;
  /** Name of the run folder under data/models/. */
  run: string;
  /** The run's epoch budget. */
  epochs: number;
  /** The run's early-stopping patience in epochs (0 = none). */
  patience: number;
}

/**
 * The run folder name of a (prefix, data set) pair: "cvae-synthetic" for the default
 * prefix. Notebooks 03-05 and the CLI's default run all name a model this way.
 */
export function runName(dataset: string, prefix = "cvae"): string {
  return `${prefix}-${dataset}`;
}

export function modelDir(run: string): string {
  return join(dataDir(), "models", checkName(run, "run"));
}

export function vocabularyOf(ds: ProcessedDataset): Vocabulary {
  return {
    dataset: ds.name,
    itemMovieIds: Array.from(ds.itemMovieIds),
    genres: [...ds.conditions.labels],
    conditionKind: ds.conditions.kind,
    ...(ds.contentId ? { datasetId: ds.contentId, datasetSource: ds.source.folder } : {}),
  };
}

/** Throws when the checkpoint was trained on other items or conditions than `ds`, or on a set of its name that was replaced since. */
export function checkVocabulary(ck: { vocabulary: Vocabulary; config?: { run: string } }, ds: ProcessedDataset, where: string): void {
  const v = ck.vocabulary;
  // Both ids are known only for models trained on, and sets written by, format 4 on: older ones load as before.
  if (v.datasetId && ds.contentId && v.dataset === ds.name && v.datasetId !== ds.contentId) {
    const run = ck.config?.run ?? basename(where);
    const old = v.datasetSource ?? "its old source";
    const now =
      v.datasetSource === ds.source.folder
        ? `prepared again from ${ds.source.folder} with other options or changed files`
        : `replaced by a set prepared from ${ds.source.folder}`;
    throw new Error(
      `${where}: run "${run}" was trained on data set "${ds.name}" as prepared from ${old} (content ${v.datasetId}), ` +
        `but "${ds.name}" has been ${now} (content ${ds.contentId}); the model does not belong to it. Retrain the run ` +
        `(cvae train --run ${run} --dataset ${ds.name} --restart), or prepare the old source again ` +
        `(cvae data prepare ${old} --name ${ds.name} --replace, with the options it had).`,
    );
  }
  const ids = ds.itemMovieIds;
  const sameItems = v.itemMovieIds.length === ids.length && v.itemMovieIds.every((id, i) => id === ids[i]);
  const labels = ds.conditions.labels;
  const kind = v.conditionKind ?? "genre";
  const sameConditions = kind === ds.conditions.kind && v.genres.length === labels.length && v.genres.every((g, i) => g === labels[i]);
  if (!sameItems || !sameConditions) {
    throw new Error(
      `${where}: the model was trained on data set "${v.dataset}" ` +
        `(${v.itemMovieIds.length} items, ${v.genres.length} ${conditionPlural(kind)}), ` +
        `not on "${ds.name}" (${ids.length} items, ${labels.length} ${conditionPlural(ds.conditions.kind)}); its vocabulary ` +
        `does not match. Train a model on "${ds.name}" or load the data set it was trained on.`,
    );
  }
}

/** The dims as checkpoint.json stores them: the latent size under `latent`, its name in configs and on the command line. */
export interface StoredDims {
  items: number;
  conditions: number;
  hidden: number;
  latent: number;
}

/** The dims to write to checkpoint.json: the stored keys, in the order they have always been written. */
export function storedDims(dims: ModelDims): StoredDims {
  return { items: dims.items, conditions: dims.conditions, hidden: dims.hidden, latent: dims.latentDim };
}

/** The model's dims of checkpoint.json's stored dims. */
export function dimsOfStored(stored: StoredDims): ModelDims {
  return { items: stored.items, conditions: stored.conditions, hidden: stored.hidden, latentDim: stored.latent };
}

/** How a damaged checkpoint.json's errors end. */
export const DAMAGED_HINT = "; the checkpoint is damaged: train the run again (cvae train --restart)";
/** How a damaged binary file's errors end. */
const RETRAIN_HINT = "; train the run again (cvae train --restart)";

/** The fields of checkpoint.json that every reader checks alike (the rest is each reader's part). */
export const CHECKPOINT_FIELDS = {
  format: { literal: CHECKPOINT_FORMAT },
  version: "integer",
  dims: { object: { items: "integer", conditions: "integer", hidden: "integer", latent: "integer" } },
  vocabulary: {
    object: {
      dataset: "string",
      itemMovieIds: { array: "integer" },
      genres: { array: "string" },
      conditionKind: { oneOf: CONDITION_KINDS.map((k) => ({ literal: k })) },
      datasetId: "string",
      datasetSource: "string",
    },
    optional: ["conditionKind", "datasetId", "datasetSource"],
  },
  files: FILE_SUMS,
} satisfies Record<string, Shape>;

/** What checkpoint.json holds around each reader's part: the version and the checksums of the binary files (version 2 on). */
export interface CheckpointFiles {
  version: number;
  files?: Record<string, FileSum>;
}

/**
 * checkpoint.json of a checkpoint folder, checked against `shape` (a reader's part of it), after
 * completing a save that a kill interrupted. With `missingOk`, a folder without a checkpoint gives null.
 */
export function readCheckpointJson<T extends CheckpointFiles>(dir: string, shape: Shape, options: { missingOk: true }): T | null;
export function readCheckpointJson<T extends CheckpointFiles>(dir: string, shape: Shape, options?: { missingOk?: false }): T;
export function readCheckpointJson<T extends CheckpointFiles>(dir: string, shape: Shape, options?: { missingOk?: boolean }): T | null;
export function readCheckpointJson<T extends CheckpointFiles>(dir: string, shape: Shape, options: { missingOk?: boolean } = {}): T | null {
  recoverDir(dir);
  const metaPath = join(dir, "checkpoint.json");
  if (!existsSync(metaPath)) {
    if (options.missingOk) return null;
    throw new Error(`no checkpoint at ${dir} (missing checkpoint.json); train one with \`npx cvae train\` or notebook 03-training`);
  }
  const raw = readJsonFile<{ format?: unknown; version?: unknown }>(metaPath, "any", DAMAGED_HINT);
  if (raw === null || typeof raw !== "object" || raw.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${metaPath}: not a cvae-lens checkpoint (format ${JSON.stringify((raw as { format?: unknown } | null)?.format)})`);
  }
  if (raw.version !== 1 && raw.version !== CHECKPOINT_VERSION) {
    throw new Error(
      `${metaPath}: checkpoint format version ${JSON.stringify(raw.version)}; this cvae-lens reads versions 1 and ${CHECKPOINT_VERSION}`,
    );
  }
  const meta = checkShape<T>(raw, shape, metaPath, DAMAGED_HINT);
  if (meta.version >= 2 && !meta.files)
    throw new Error(`${metaPath}: files (the checksums) must be an object, got nothing (missing)${DAMAGED_HINT}`);
  return meta;
}

/**
 * A binary file of a checkpoint folder, checked against its checksum in checkpoint.json (version 2
 * on) and, when `size` is given, its length: `floats` float32 values for a model of `params` parameters.
 */
export function readCheckpointFile(dir: string, meta: CheckpointFiles, name: string, size?: { floats: number; params: number }): Buffer {
  const path = join(dir, name);
  if (!existsSync(path)) throw new Error(`${path}: missing; the checkpoint is incomplete${RETRAIN_HINT}`);
  requireRegularFile(path, "a checkpoint file");
  const buf = readFileSync(path);
  if (meta.files) {
    const sum = meta.files[name];
    if (!sum) throw new Error(`${join(dir, "checkpoint.json")}: files.${name} (its checksum) is missing${RETRAIN_HINT}`);
    verifySum(path, buf, sum, RETRAIN_HINT);
  }
  if (size && buf.byteLength !== size.floats * 4)
    throw new Error(`${path}: corrupt checkpoint (${buf.byteLength} bytes, expected ${size.floats * 4} for ${size.params} parameters)`);
  return buf;
}

/** `count` float32 values of `buf` from value `from`, copied. */
export function floatsAt(buf: Buffer, from: number, count: number): Float32Array {
  return new Float32Array(buf.buffer.slice(buf.byteOffset + from * 4, buf.byteOffset + (from + count) * 4));
}

export function allFinite(a: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (x !== x || x === Infinity || x === -Infinity) return false;
  }
  return true;
}

/** What a model reads of checkpoint.json. */
const MODEL_SHAPE: Shape = {
  object: {
    format: CHECKPOINT_FIELDS.format,
    version: CHECKPOINT_FIELDS.version,
    // The model's fields are checked by validateModelConfig below; the rest of the training config is not the model's.
    config: { object: { dataset: "string", run: "string", epochs: "integer", patience: "integer" } },
    dims: CHECKPOINT_FIELDS.dims,
    vocabulary: CHECKPOINT_FIELDS.vocabulary,
    position: { object: { epoch: "integer", bestEpoch: "integer", finished: "boolean" } },
    files: CHECKPOINT_FIELDS.files,
  },
  optional: ["files"],
};

/** The model's part of a checkpoint folder: what using the trained model needs. */
export interface ModelCheckpoint {
  /** checkpoint.json's config as stored, its model's fields checked. */
  config: TrainedModelConfig;
  dims: ModelDims;
  vocabulary: Vocabulary;
  /** How far training got: epochs completed, whether it finished, and the epoch of the best weights (0: none validated). */
  position: { epoch: number; finished: boolean; bestEpoch: number };
  /** The best weights. */
  best: Float32Array;
}

/** Reads the model's part of a checkpoint folder and its best weights; every inconsistency is an error naming the file. */
export function loadModelCheckpoint(dir: string): ModelCheckpoint {
  const meta = readCheckpointJson<Omit<ModelCheckpoint, "best" | "dims"> & { dims: StoredDims } & CheckpointFiles>(dir, MODEL_SHAPE);
  try {
    // The stored config is a training config; its errors read as they do where training checks it.
    validateModelConfig(meta.config, "train config");
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${join(dir, "checkpoint.json")}: config: ${message}${DAMAGED_HINT}`, { cause: err });
  }
  const dims = dimsOfStored(meta.dims);
  const size = paramLayout(dims).size;
  readCheckpointFile(dir, meta, "state.bin"); // the training state: the folder must be whole, though the model does not use it
  const best = floatsAt(readCheckpointFile(dir, meta, "best.bin", { floats: size, params: size }), 0, size);
  if (!allFinite(best)) throw new Error(`${dir}: corrupt checkpoint (best holds non-finite numbers)`);
  const { epoch, finished, bestEpoch } = meta.position;
  return { config: meta.config, dims, vocabulary: meta.vocabulary, position: { epoch, finished, bestEpoch }, best };
}
