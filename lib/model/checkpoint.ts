// Model checkpoints under data/models/<run>/: weights, Adam state, the training position
// (epoch, batch, RNG states), the config, the vocabularies it was trained on and a format
// tag. The folder is replaced atomically after every epoch and on an interrupt, so a
// crash never leaves half a checkpoint (a kill mid-swap is completed on the next read).
// `best.bin` holds the best weights so far. checkpoint.json records the size and CRC-32
// of both binary files, and every field is checked on load.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type FileSum, sumOf, verifySum } from "../core/checksum";
import { recoverDir, writeDirAtomic } from "../core/fs";
import { checkName } from "../core/names";
import { dataDir } from "../core/paths";
import { checkShape, FILE_SUMS, readJsonFile, type Shape } from "../core/shape";
import { type ModelDims, type ParamLayout, paramLayout } from "./parameters";
import { CONDITION_KINDS, conditionPlural } from "../data/conditions/conditions";
import type { ConditionKind, ProcessedDataset } from "../data/schema";
import type { RngState } from "../core/rng";
import type { EngineBuffers } from "./engine";
import type { EpochRecord } from "./history";
import { makeTrainConfig, type TrainConfig, validateTrainConfig } from "../train/config";

export const CHECKPOINT_FORMAT = "cvae-lens/checkpoint";
/** 2: checkpoint.json records the checksums of state.bin and best.bin (version 1 files load unverified). */
export const CHECKPOINT_VERSION = 2;

/** What identifies the data a model was trained on. */
export interface Vocabulary {
  dataset: string;
  itemMovieIds: number[];
  /** The condition labels, in the model's order (the key predates condition kinds: genres, decades, dayparts...). */
  genres: string[];
  /** What the conditions are; absent in checkpoints written before condition kinds (genre). */
  conditionKind?: ConditionKind;
}

export interface TrainingPosition {
  /** Completed epochs. */
  epoch: number;
  /** Batches done in the current epoch (> 0 only for a checkpoint written on an interrupt). */
  batchInEpoch: number;
  updates: number;
  /** RNG state at the start of the current epoch (rebuilds its row order) and now. */
  rngEpochStart: RngState;
  rngNow: RngState;
  /** Loss sums of the current, unfinished epoch. */
  partial: { nllSum: number; klSum: number; rows: number; seconds: number };
  bestEpoch: number;
  bestMetric: number;
  epochsWithoutImprovement: number;
  finished: boolean;
  stoppedEarly: boolean;
}

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  created: string;
  config: TrainConfig;
  dims: ModelDims;
  vocabulary: Vocabulary;
  position: TrainingPosition;
  history: EpochRecord[];
  backend: string;
  threads: number;
}

export interface CheckpointArrays {
  params: Float32Array;
  adamM: Float32Array;
  adamV: Float32Array;
  adamStep: number;
  best: Float32Array;
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
  };
}

/** Throws when the checkpoint was trained on other items or conditions than `ds`. */
export function checkVocabulary(ck: Pick<Checkpoint, "vocabulary">, ds: ProcessedDataset, where: string): void {
  const v = ck.vocabulary;
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

/** A checkpoint of the current training state, tagged with this format and version. */
export function checkpointOf(parts: Omit<Checkpoint, "format" | "version" | "created">): Checkpoint {
  return { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, created: new Date().toISOString(), ...parts };
}

/** Writes the checkpoint folder atomically: the metadata, the engine's weights and Adam state, and the best weights. */
export async function saveCheckpoint(dir: string, ck: Checkpoint, state: EngineBuffers, best: Float32Array): Promise<void> {
  const parts = [f32(state.params), f32(state.adam.m), f32(state.adam.v)];
  const files: Record<string, FileSum> = { "state.bin": sumOf(parts), "best.bin": sumOf(f32(best)) };
  await writeDirAtomic(dir, (tmp) => {
    writeFileSync(join(tmp, "state.bin"), Buffer.concat(parts));
    writeFileSync(join(tmp, "best.bin"), f32(best));
    writeFileSync(
      join(tmp, "checkpoint.json"),
      JSON.stringify({ ...ck, version: CHECKPOINT_VERSION, adamStep: state.adam.step, files }, null, 1) + "\n",
    );
  });
}

function f32(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

const RNG_STATE: Shape = {
  object: { name: { literal: "mt19937" }, key: { array: "integer" }, pos: "integer", hasGauss: "boolean", gauss: "number" },
};
const EPOCH_RECORD: Shape = {
  object: {
    epoch: "integer",
    seconds: "number",
    rows: "integer",
    rowsPerSecond: "number",
    loss: "number",
    nll: "number",
    kl: "number",
    beta: "number",
    updates: "integer",
    validNdcgUnconditioned: { nullable: "number" },
    validNdcgConditioned: { nullable: "number" },
  },
};

/** What checkpoint.json must hold (the config is checked further by the train-config validator). */
const CHECKPOINT_SHAPE: Shape = {
  object: {
    format: { literal: CHECKPOINT_FORMAT },
    version: "integer",
    created: "string",
    config: { object: {} },
    dims: { object: { items: "integer", conditions: "integer", hidden: "integer", latent: "integer" } },
    vocabulary: {
      object: {
        dataset: "string",
        itemMovieIds: { array: "integer" },
        genres: { array: "string" },
        conditionKind: { oneOf: CONDITION_KINDS.map((k) => ({ literal: k })) },
      },
      optional: ["conditionKind"],
    },
    position: {
      object: {
        epoch: "integer",
        batchInEpoch: "integer",
        updates: "integer",
        rngEpochStart: RNG_STATE,
        rngNow: RNG_STATE,
        partial: { object: { nllSum: "number", klSum: "number", rows: "integer", seconds: "number" } },
        bestEpoch: "integer",
        // -Infinity before the first validation is written as null by JSON.stringify.
        bestMetric: { nullable: "number" },
        epochsWithoutImprovement: "integer",
        finished: "boolean",
        stoppedEarly: "boolean",
      },
    },
    history: { array: EPOCH_RECORD },
    backend: "string",
    threads: "integer",
    adamStep: "integer",
    files: FILE_SUMS,
  },
  optional: ["files"],
};

type StoredCheckpoint = Checkpoint & { adamStep: number; files?: Record<string, FileSum> };

/**
 * The metadata of a checkpoint folder (checkpoint.json, checked), completing a save that a
 * kill interrupted first. With `missingOk`, a folder without a checkpoint gives null.
 */
export function readCheckpointMeta(dir: string, options: { missingOk: true }): StoredCheckpoint | null;
export function readCheckpointMeta(dir: string, options?: { missingOk?: false }): StoredCheckpoint;
export function readCheckpointMeta(dir: string, options: { missingOk?: boolean } = {}): StoredCheckpoint | null {
  recoverDir(dir);
  const metaPath = join(dir, "checkpoint.json");
  if (!existsSync(metaPath)) {
    if (options.missingOk) return null;
    throw new Error(`no checkpoint at ${dir} (missing checkpoint.json); train one with \`npx cvae train\` or notebook 03-training`);
  }
  const hint = "; the checkpoint is damaged: train the run again (cvae train --restart)";
  const raw = readJsonFile<{ format?: unknown; version?: unknown }>(metaPath, "any", hint);
  if (raw === null || typeof raw !== "object" || raw.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${metaPath}: not a cvae-lens checkpoint (format ${JSON.stringify((raw as { format?: unknown } | null)?.format)})`);
  }
  if (raw.version !== 1 && raw.version !== CHECKPOINT_VERSION) {
    throw new Error(
      `${metaPath}: checkpoint format version ${JSON.stringify(raw.version)}; this cvae-lens reads versions 1 and ${CHECKPOINT_VERSION}`,
    );
  }
  const meta = checkShape<StoredCheckpoint>(raw, CHECKPOINT_SHAPE, metaPath, hint);
  if (meta.version >= 2 && !meta.files)
    throw new Error(`${metaPath}: files (the checksums) must be an object, got nothing (missing)${hint}`);
  meta.position.bestMetric ??= -Infinity;
  try {
    validateTrainConfig(makeTrainConfig(meta.config));
  } catch (err) {
    throw new Error(`${metaPath}: config: ${err instanceof Error ? err.message : String(err)}${hint}`, { cause: err });
  }
  return meta;
}

export interface LoadedCheckpoint {
  checkpoint: Checkpoint;
  arrays: CheckpointArrays;
  /** False for version 1 checkpoints, which carry no checksums. */
  verified: boolean;
}

/** Reads a checkpoint folder; every inconsistency is an error naming the file. */
export function loadCheckpoint(dir: string, layout?: ParamLayout): LoadedCheckpoint {
  const meta = readCheckpointMeta(dir);
  const metaPath = join(dir, "checkpoint.json");
  const size = (layout ?? paramLayout(meta.dims)).size;
  const hint = "; train the run again (cvae train --restart)";
  const read = (name: string, floats: number): Buffer => {
    const path = join(dir, name);
    if (!existsSync(path)) throw new Error(`${path}: missing; the checkpoint is incomplete${hint}`);
    const buf = readFileSync(path);
    if (meta.files) {
      const sum = meta.files[name];
      if (!sum) throw new Error(`${metaPath}: files.${name} (its checksum) is missing${hint}`);
      verifySum(path, buf, sum, hint);
    }
    if (buf.byteLength !== floats * 4)
      throw new Error(`${path}: corrupt checkpoint (${buf.byteLength} bytes, expected ${floats * 4} for ${size} parameters)`);
    return buf;
  };
  const state = read("state.bin", 3 * size);
  const best = read("best.bin", size);
  const floats = (buf: Buffer, from: number, count: number) =>
    new Float32Array(buf.buffer.slice(buf.byteOffset + from * 4, buf.byteOffset + (from + count) * 4));
  const arrays: CheckpointArrays = {
    params: floats(state, 0, size),
    adamM: floats(state, size, size),
    adamV: floats(state, 2 * size, size),
    adamStep: meta.adamStep,
    best: floats(best, 0, size),
  };
  for (const [name, a] of Object.entries(arrays)) {
    if (a instanceof Float32Array && !allFinite(a)) throw new Error(`${dir}: corrupt checkpoint (${name} holds non-finite numbers)`);
  }
  const { adamStep: _omit, files: _files, ...checkpoint } = meta;
  return { checkpoint, arrays, verified: Boolean(meta.files) };
}

function allFinite(a: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (x !== x || x === Infinity || x === -Infinity) return false;
  }
  return true;
}
