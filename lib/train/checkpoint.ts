// A training run's checkpoint under data/models/<run>/: what resuming a run needs besides the
// model's part (lib/model/checkpoint.ts: the format, dims, vocabulary and best weights): the
// full training config, the training position (epoch, batch, RNG states, early stopping), the
// history, and the weights with Adam's state in state.bin. The folder is replaced atomically
// after every epoch and on an interrupt, so a crash never leaves half a checkpoint (a kill
// mid-swap is completed on the next read). `best.bin` holds the best weights so far.
// checkpoint.json records the size and CRC-32 of both binary files and the CRC-32 of each of its own
// fields (cvae-lens alone writes it), and every field is checked on load.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type FileSum, sumOf, textSums } from "../core/checksum";
import { writeDirAtomic } from "../core/fs";
import type { RngState } from "../core/rng";
import type { Shape } from "../core/shape";
import {
  checkFinite,
  CHECKPOINT_FIELDS,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type CheckpointFiles,
  checkPosition,
  checkStoredDims,
  DAMAGED_HINT,
  dimsOfStored,
  floatsAt,
  readCheckpointFile,
  readCheckpointJson,
  type StoredDims,
  storedDims,
  type TrainedModelConfig,
  type Vocabulary,
} from "../model/checkpoint";
import type { EngineBuffers } from "../model/engine";
import type { EpochRecord } from "../model/history";
import { type ModelDims, type ParamLayout, paramLayout } from "../model/parameters";
import { makeTrainConfig, type TrainConfig, validateTrainConfig } from "./config";

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
  /** Stored with the latent size under `latent` (storedDims and dimsOfStored, lib/model/checkpoint.ts). */
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

/** A checkpoint of the current training state, tagged with this format and version. */
export function checkpointOf(parts: Omit<Checkpoint, "format" | "version" | "created">): Checkpoint {
  return { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, created: new Date().toISOString(), ...parts };
}

/** Writes the checkpoint folder atomically: the metadata, the engine's weights and Adam state, and the best weights. */
export async function saveCheckpoint(dir: string, ck: Checkpoint, state: EngineBuffers, best: Float32Array): Promise<void> {
  const parts = [f32(state.params), f32(state.adam.m), f32(state.adam.v)];
  const files: Record<string, FileSum> = { "state.bin": sumOf(parts), "best.bin": sumOf(f32(best)) };
  // The sums are of the document as a reader parses it (JSON drops undefined and writes -Infinity as null).
  const doc = JSON.parse(
    JSON.stringify({ ...ck, dims: storedDims(ck.dims), version: CHECKPOINT_VERSION, adamStep: state.adam.step, files }),
  ) as Record<string, unknown>;
  await writeDirAtomic(dir, (tmp) => {
    writeFileSync(join(tmp, "state.bin"), Buffer.concat(parts));
    writeFileSync(join(tmp, "best.bin"), f32(best));
    writeFileSync(join(tmp, "checkpoint.json"), JSON.stringify({ ...doc, sums: textSums(doc) }, null, 1) + "\n");
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
    format: CHECKPOINT_FIELDS.format,
    version: CHECKPOINT_FIELDS.version,
    created: "string",
    config: { object: {} },
    dims: CHECKPOINT_FIELDS.dims,
    vocabulary: CHECKPOINT_FIELDS.vocabulary,
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
    files: CHECKPOINT_FIELDS.files,
    sums: CHECKPOINT_FIELDS.sums,
  },
  optional: ["files", "sums"],
};

export type StoredCheckpoint = Checkpoint & CheckpointFiles & { adamStep: number };

/**
 * The metadata of a checkpoint folder (checkpoint.json, checked), completing a save that a
 * kill interrupted first. With `missingOk`, a folder without a checkpoint gives null.
 */
export function readCheckpointMeta(dir: string, options: { missingOk: true }): StoredCheckpoint | null;
export function readCheckpointMeta(dir: string, options?: { missingOk?: false }): StoredCheckpoint;
export function readCheckpointMeta(dir: string, options: { missingOk?: boolean } = {}): StoredCheckpoint | null {
  const stored = readCheckpointJson<Omit<StoredCheckpoint, "dims"> & { dims: StoredDims }>(dir, CHECKPOINT_SHAPE, options);
  if (stored === null) return null;
  const file = join(dir, "checkpoint.json");
  try {
    validateTrainConfig(makeTrainConfig(stored.config));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${file}: config: ${message}${DAMAGED_HINT}`, { cause: err });
  }
  checkStoredDims(stored, file);
  checkPosition(stored.position, file);
  if (stored.adamStep < 0) throw new Error(`${file}: adamStep is ${stored.adamStep}, a count below 0${DAMAGED_HINT}`);
  if (stored.history.length !== stored.position.epoch) {
    const records = `${stored.history.length} record${stored.history.length === 1 ? "" : "s"}`;
    throw new Error(`${file}: history holds ${records}, but position.epoch says ${stored.position.epoch} epochs ran${DAMAGED_HINT}`);
  }
  const meta: StoredCheckpoint = { ...stored, dims: dimsOfStored(stored.dims) };
  meta.position.bestMetric ??= -Infinity;
  return meta;
}

export interface LoadedCheckpoint {
  checkpoint: Checkpoint;
  arrays: CheckpointArrays;
  /** False for version 1 checkpoints, which carry no checksums. */
  verified: boolean;
}

/** Throws, naming the field, when the dims a checkpoint in `dir` stores are not those of `layout` (a training's model). */
export function checkLayout(dir: string, dims: ModelDims, layout: ParamLayout): void {
  const [stored, wanted] = [storedDims(dims), storedDims(layout.dims)];
  const k = (Object.keys(wanted) as (keyof StoredDims)[]).find((key) => wanted[key] !== stored[key]);
  if (k) throw new Error(`${join(dir, "checkpoint.json")}: dims.${k} is ${stored[k]}, this training's model has ${wanted[k]}`);
}

/**
 * Reads a checkpoint folder; every inconsistency is an error naming the file and field. With `layout`
 * (the model a training builds), the stored dims must be its dims.
 */
export function loadCheckpoint(dir: string, layout?: ParamLayout): LoadedCheckpoint {
  const meta = readCheckpointMeta(dir);
  const stored = storedDims(meta.dims);
  if (layout) checkLayout(dir, meta.dims, layout);
  const size = paramLayout(meta.dims).size;
  const state = readCheckpointFile(dir, meta, "state.bin", { floats: 3 * size, dims: stored });
  const best = readCheckpointFile(dir, meta, "best.bin", { floats: size, dims: stored });
  const arrays: CheckpointArrays = {
    params: floatsAt(state, 0, size),
    adamM: floatsAt(state, size, size),
    adamV: floatsAt(state, 2 * size, size),
    adamStep: meta.adamStep,
    best: floatsAt(best, 0, size),
  };
  checkFinite(dir, "state.bin", "the weights", arrays.params);
  checkFinite(dir, "state.bin", "Adam's first moments", arrays.adamM);
  checkFinite(dir, "state.bin", "Adam's second moments", arrays.adamV);
  checkFinite(dir, "best.bin", "the best weights", arrays.best);
  const { adamStep: _omit, files: _files, sums: _sums, ...checkpoint } = meta;
  return { checkpoint, arrays, verified: Boolean(meta.files) };
}

/**
 * The training config of a trained model: a loaded model keeps checkpoint.json's config as stored
 * and checks only its own fields; this checks it as a whole training config (a model built from a
 * TrainConfig passes as it is).
 */
export function trainConfigOf(config: TrainedModelConfig): TrainConfig {
  return validateTrainConfig(config as TrainConfig);
}
