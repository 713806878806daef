// A trained model's checkpoint folder under data/models/<run>/, as the model reads it: the
// format (checkpoint.json with a format tag and version; state.bin and best.bin, whose size
// and CRC-32 checkpoint.json records, and the CRC-32 of each of checkpoint.json's own fields),
// the model's part of checkpoint.json (its config, the dims, the vocabulary it was trained on
// and how far training got) and the best weights. cvae-lens alone writes these files, so any
// edit is damage: a model loads only from a whole folder whose files all match their checksums.
// What training resumes from (the position, the history, the full training config, the
// weights and Adam state in state.bin) and the writing of checkpoints: lib/train/checkpoint.ts.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { type FileSum, verifySum, verifyTextSums } from "../core/checksum";
import { recoverDir, requireRegularFile } from "../core/fs";
import { checkName } from "../core/names";
import { dataDir } from "../core/paths";
import { checkShape, FILE_SUMS, readJsonFile, type Shape } from "../core/shape";
import { CONDITION_KINDS, conditionPlural } from "../data/conditions/conditions";
import type { ConditionKind, ProcessedDataset } from "../data/schema";
import { dataPathOf } from "../data/same-source";
import { type ModelConfig, validateModelConfig } from "./config";
import { type ModelDims, paramLayout } from "./parameters";

export const CHECKPOINT_FORMAT = "cvae-lens/checkpoint";
/**
 * 2: checkpoint.json records the checksums of state.bin and best.bin; 3: and of its own fields (`sums`).
 * Older versions load without the checks they predate.
 */
export const CHECKPOINT_VERSION = 3;

/** What identifies the data a model was trained on. */
export interface Vocabulary {
  dataset: string;
  /** The data set's content id (ProcessedDataset.contentId); absent in older checkpoints and for sets before format 4. */
  datasetId?: string;
  /** The folder the data set was prepared from; with datasetId. */
  datasetSource?: string;
  /** That folder relative to the data folder, when inside it: the same source after the data folder was copied or moved. */
  datasetDataPath?: string;
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
    ...(ds.contentId && dataPathOf(ds.source.folder) !== undefined ? { datasetDataPath: dataPathOf(ds.source.folder) } : {}),
  };
}

/** The folder a model's set was prepared from, as it is now: inside this data folder when it was inside one. */
function trainedSource(v: Vocabulary, ds: ProcessedDataset): { folder: string; same: boolean } {
  const inData = v.datasetDataPath === undefined ? undefined : join(dataDir(), v.datasetDataPath);
  const same =
    v.datasetSource === ds.source.folder || (v.datasetDataPath !== undefined && v.datasetDataPath === dataPathOf(ds.source.folder));
  if (same) return { folder: ds.source.folder, same };
  return { folder: inData !== undefined && existsSync(inData) ? inData : (v.datasetSource ?? "its old source"), same };
}

/** Throws when the checkpoint was trained on other items or conditions than `ds`, or on a set of its name that was replaced since. */
export function checkVocabulary(ck: { vocabulary: Vocabulary; config?: { run: string } }, ds: ProcessedDataset, where: string): void {
  const v = ck.vocabulary;
  // Both ids are known only for models trained on, and sets written by, format 4 on: older ones load as before.
  if (v.datasetId && ds.contentId && v.dataset === ds.name && v.datasetId !== ds.contentId) {
    const run = ck.config?.run ?? basename(where);
    const { folder: old, same } = trainedSource(v, ds);
    const now = same
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

/** How a damaged checkpoint.json's errors end: the two ways out. */
export const DAMAGED_HINT = "; the checkpoint is damaged: restore checkpoint.json, or train the run again (cvae train --restart)";
/** How the errors of a damaged or missing binary file end. */
const retrainHint = (name: string) => `; restore ${name}, or train the run again (cvae train --restart)`;

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
      datasetDataPath: "string",
    },
    optional: ["conditionKind", "datasetId", "datasetSource", "datasetDataPath"],
  },
  files: FILE_SUMS,
  sums: FILE_SUMS,
} satisfies Record<string, Shape>;

/** What checkpoint.json holds around each reader's part: the version and the checksums of the binary files (2 on) and fields (3 on). */
export interface CheckpointFiles {
  version: number;
  files?: Record<string, FileSum>;
  /** The size and CRC-32 of the JSON text of each field (textSums of lib/core/checksum.ts, as dataset.json's). */
  sums?: Record<string, FileSum>;
}

/** How an edited field of checkpoint.json is reported: the file is the tool's alone. */
const EDITED_HINT = "; only cvae-lens writes checkpoint.json: restore it, or train the run again (cvae train --restart)";

/**
 * checkpoint.json of a checkpoint folder, checked against `shape` (a reader's part of it) and, from
 * version 3, every field against its checksum, after completing a save that a kill interrupted.
 * With `missingOk`, a folder that is not there or empty gives null; a folder that holds files but no
 * checkpoint.json is always an error (its weights are never taken for a new run's).
 */
export function readCheckpointJson<T extends CheckpointFiles>(dir: string, shape: Shape, options: { missingOk: true }): T | null;
export function readCheckpointJson<T extends CheckpointFiles>(dir: string, shape: Shape, options?: { missingOk?: false }): T;
export function readCheckpointJson<T extends CheckpointFiles>(dir: string, shape: Shape, options?: { missingOk?: boolean }): T | null;
export function readCheckpointJson<T extends CheckpointFiles>(dir: string, shape: Shape, options: { missingOk?: boolean } = {}): T | null {
  recoverDir(dir);
  const metaPath = join(dir, "checkpoint.json");
  if (!existsSync(metaPath)) {
    const held = folderEntries(dir);
    if (held.length > 0) {
      const shown = held.length > 4 ? `${held.slice(0, 4).join(", ")} and ${held.length - 4} more` : held.join(", ");
      throw new Error(
        `${dir} holds ${shown} but no checkpoint.json, so it is no run that can be continued or used; ` +
          `restore checkpoint.json, or train with --restart (notebooks: restart: true) to replace the folder`,
      );
    }
    if (options.missingOk) return null;
    throw new Error(`no checkpoint at ${dir} (missing checkpoint.json); train one with \`npx cvae train\` or notebook 03-training`);
  }
  const raw = readJsonFile<{ format?: unknown; version?: unknown }>(metaPath, "any", DAMAGED_HINT);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw) || raw.format !== CHECKPOINT_FORMAT) {
    throw new Error(
      `${metaPath}: not a cvae-lens checkpoint (format ${JSON.stringify((raw as { format?: unknown } | null)?.format)})${DAMAGED_HINT}`,
    );
  }
  if (raw.version !== 1 && raw.version !== 2 && raw.version !== CHECKPOINT_VERSION) {
    throw new Error(
      `${metaPath}: version ${JSON.stringify(raw.version)}; this cvae-lens reads checkpoint versions 1 to ${CHECKPOINT_VERSION}` +
        DAMAGED_HINT,
    );
  }
  const meta = checkShape<T>(raw, shape, metaPath, DAMAGED_HINT);
  if (meta.version >= 2 && !meta.files)
    throw new Error(`${metaPath}: files (the checksums) must be an object, got nothing (missing)${DAMAGED_HINT}`);
  if (meta.version >= 3) {
    if (!meta.sums) throw new Error(`${metaPath}: sums (its fields' checksums) must be an object, got nothing (missing)${DAMAGED_HINT}`);
    verifyTextSums(raw as Record<string, unknown>, meta.sums, metaPath, EDITED_HINT);
  }
  return meta;
}

/** The names in a folder; none when it is not there. */
function folderEntries(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return [];
    if (code === "ENOTDIR")
      throw new Error(`${dir}: a file, where a run folder belongs; move it away or pick another run name`, { cause: err });
    throw new Error(`${dir}: unreadable run folder (${code ?? String(err)})`, { cause: err });
  }
}

/** The dims a config and vocabulary make, and where each comes from. */
const DIMS_SOURCE: Record<keyof StoredDims, string> = {
  items: "the items of vocabulary.itemMovieIds",
  conditions: "the labels of vocabulary.genres (none for a Mult-VAE, config.conditioned false)",
  hidden: "config.hidden",
  latent: "config.latent",
};

/** Throws, naming the field, when the stored dims are not those the stored config and vocabulary make. */
export function checkStoredDims(
  meta: { dims: StoredDims; vocabulary: Vocabulary; config: Pick<ModelConfig, "conditioned" | "hidden" | "latent"> },
  file: string,
): void {
  const { dims, vocabulary, config } = meta;
  const want: StoredDims = {
    items: vocabulary.itemMovieIds.length,
    conditions: config.conditioned ? vocabulary.genres.length : 0,
    hidden: config.hidden,
    latent: config.latent,
  };
  for (const k of Object.keys(want) as (keyof StoredDims)[]) {
    if (dims[k] !== want[k]) throw new Error(`${file}: dims.${k} is ${dims[k]}, but ${DIMS_SOURCE[k]} make ${want[k]}${DAMAGED_HINT}`);
  }
}

/**
 * A binary file of a checkpoint folder, checked against its checksum in checkpoint.json (version 2
 * on) and, when `size` is given, its length: `floats` float32 values for a model of `dims`.
 */
export function readCheckpointFile(dir: string, meta: CheckpointFiles, name: string, size?: { floats: number; dims: StoredDims }): Buffer {
  const path = join(dir, name);
  if (!existsSync(path)) throw new Error(`${path}: missing; the checkpoint is incomplete${retrainHint(name)}`);
  requireRegularFile(path, "a checkpoint file");
  const buf = readFileSync(path);
  if (meta.files) {
    const sum = meta.files[name];
    if (!sum) throw new Error(`${join(dir, "checkpoint.json")}: files.${name} (its checksum) is missing${DAMAGED_HINT}`);
    verifySum(path, buf, sum, retrainHint(name));
  }
  if (size && buf.byteLength !== size.floats * 4) {
    const d = size.dims;
    const made = `checkpoint.json's dims (items ${d.items}, conditions ${d.conditions}, hidden ${d.hidden}, latent ${d.latent})`;
    // With a checksum that matches, the file is as written: the dims are what is wrong.
    const wrong = meta.files ? `${join(dir, "checkpoint.json")}: dims do not fit ${name}` : `${path}: corrupt checkpoint`;
    throw new Error(`${wrong} (${buf.byteLength} bytes; ${made} need ${size.floats * 4})${meta.files ? DAMAGED_HINT : retrainHint(name)}`);
  }
  return buf;
}

/** Throws, naming the file, when `a` (read from `name`) holds a NaN or an infinity. */
export function checkFinite(dir: string, name: string, what: string, a: Float32Array): void {
  if (!allFinite(a)) throw new Error(`${join(dir, name)}: corrupt checkpoint (${what} holds non-finite numbers)${retrainHint(name)}`);
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
    sums: CHECKPOINT_FIELDS.sums,
  },
  optional: ["files", "sums"],
};

/** Throws, naming the field, when a count of the position is negative or the best epoch lies past the last. */
export function checkPosition(position: { epoch: number; bestEpoch: number }, file: string): void {
  for (const [k, v] of Object.entries(position)) {
    if (typeof v === "number" && Number.isInteger(v) && v < 0)
      throw new Error(`${file}: position.${k} is ${v}, a count below 0${DAMAGED_HINT}`);
  }
  if (position.bestEpoch > position.epoch)
    throw new Error(`${file}: position.bestEpoch is ${position.bestEpoch}, past position.epoch (${position.epoch})${DAMAGED_HINT}`);
}

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
  checkStoredDims(meta, join(dir, "checkpoint.json"));
  checkPosition(meta.position, join(dir, "checkpoint.json"));
  const dims = dimsOfStored(meta.dims);
  const size = paramLayout(dims).size;
  readCheckpointFile(dir, meta, "state.bin"); // the training state: the folder must be whole, though the model does not use it
  const best = floatsAt(readCheckpointFile(dir, meta, "best.bin", { floats: size, dims: meta.dims }), 0, size);
  checkFinite(dir, "best.bin", "the best weights", best);
  const { epoch, finished, bestEpoch } = meta.position;
  return { config: meta.config, dims, vocabulary: meta.vocabulary, position: { epoch, finished, bestEpoch }, best };
}
