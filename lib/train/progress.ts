// Training progress as text: the epoch and batch lines, and the terminal callbacks (a
// redrawn bar on a TTY; elsewhere, as in logs, CI or nohup, a line at least every 30 s and
// one per epoch). Early in a run, one line says what the whole run will take and what is
// cheaper. Every time shown (that line, the batch line's ETA, the epoch line's) comes from one
// estimate, RunClock. The notebook's live view is in notebook/progress.ts.
import type { EpochRecord } from "../model/history";
import { presetOverrides, type TrainConfig } from "./config";
import type { BatchProgress, TrainCallbacks, TrainResult } from "./loop";

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  if (seconds < 60) return `${seconds.toFixed(0)} s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m} min ${Math.round(seconds - 60 * m)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** The status line of an epoch: loss, beta, validation nDCG@100, time and ETA (none when `etaSeconds` is null). */
export function epochLine(r: EpochRecord, epochs: number, etaSeconds: number | null): string {
  const valid =
    r.validNdcgUnconditioned === null
      ? ""
      : `  valid nDCG@100 ${r.validNdcgConditioned !== null ? `condition rows ${r.validNdcgConditioned.toFixed(4)}, ` : ""}no ` +
        `condition ${r.validNdcgUnconditioned.toFixed(4)}`;
  return (
    `epoch ${r.epoch}/${epochs}  loss ${r.loss.toFixed(3)}  beta ${r.beta.toFixed(4)}${valid}  ${r.seconds.toFixed(1)} ` +
    `s (${Math.round(r.rowsPerSecond)} rows/s)${etaSeconds === null ? "" : `  ETA ${etaSeconds > 0 ? formatDuration(etaSeconds) : "done"}`}`
  );
}

export function batchLine(p: BatchProgress): string {
  return (
    `epoch ${p.epoch}/${p.epochs}  batch ${p.batch}/${p.batches}  loss ${p.loss.toFixed(3)}  beta ${p.beta.toFixed(4)}  ` +
    `${p.seconds.toFixed(0)} s  ${Math.round(p.rowsPerSecond)} rows/s  ETA ${formatDuration(p.etaSeconds)}`
  );
}

/** Batches, and seconds of the first epoch, measured before the run's expected time is said (the first batches warm up). */
export const ESTIMATE_AFTER_BATCHES = 5;
export const ESTIMATE_AFTER_SECONDS = 2;

/**
 * What the progress lines know of the run beyond its batches: its epoch budget and its stopping
 * rule. A bare number is the budget alone (the stopping rule unknown: nothing is said about it).
 */
export type ProgressRun = number | Pick<TrainConfig, "epochs" | "patience" | "validateEvery">;

/**
 * Whether early stopping can end the run before its last epoch: only with a patience, and only
 * when the earliest stop (the first validation, then `patience` validations without a better
 * one) comes before the budget.
 */
export function canStopEarly(run: ProgressRun): boolean {
  if (typeof run === "number") return false;
  return run.patience > 0 && run.validateEvery * (run.patience + 1) < run.epochs;
}

/**
 * What a progress line offers as cheaper, in the words of where the run was started (CLI flags,
 * notebook parameters), from the run's budget and its measured seconds an epoch; null for nothing.
 */
export type CheaperHint = (run: { epochs: number; secondsPerEpoch: number }) => string | null;

/** The epochs of the quick preset, the cheaper run a hint offers. */
export const QUICK_EPOCHS = presetOverrides("quick").epochs ?? 5;

/** `cvae train`'s hint: its own flags. */
export const cliCheaper: CheaperHint = ({ epochs, secondsPerEpoch }) =>
  epochs > QUICK_EPOCHS
    ? `--preset quick (${QUICK_EPOCHS} epochs, ~${formatDuration(QUICK_EPOCHS * secondsPerEpoch)}, a smoke run), or --sampler balanced`
    : null;

/**
 * The expected time of the whole run, and what is cheaper: said once, early (RunClock.estimateDue),
 * so a run of hours is a choice. `secondsPerBatch` is RunClock's (NaN: from the batches' own time).
 */
export function runEstimate(
  p: BatchProgress,
  secondsPerBatch: number,
  run: ProgressRun = p.epochs,
  cheaper: CheaperHint | null = null,
): string {
  const perEpoch = (Number.isFinite(secondsPerBatch) ? secondsPerBatch : p.seconds / p.batch) * p.batches;
  const sooner = canStopEarly(run) ? " (early stopping may end it sooner)" : "";
  const hint = cheaper?.({ epochs: p.epochs, secondsPerEpoch: perEpoch });
  const whole = `~${formatDuration(p.epochs * perEpoch)} for ${plural(p.epochs, "epoch")}${sooner}`;
  return `expected: ~${formatDuration(perEpoch)} an epoch, ${whole}${hint ? `; cheaper: ${hint}` : ""}`;
}

/**
 * The run's one estimate of the time left, for every line that shows one: wall-clock seconds
 * a batch since the first batch this process saw (so that batch's warm-up is left out, and the
 * validation and saving between epochs are counted), times the batches left. After a single
 * batch (all warm-up) it has none yet: NaN, shown as "ETA ?".
 */
export class RunClock {
  private first: number | null = null;
  private seen = 0;
  private last: BatchProgress | null = null;
  private said = false;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Seconds a batch so far; NaN before two batches. */
  secondsPerBatch(): number {
    return this.first === null || this.seen < 2 ? NaN : (this.now() - this.first) / 1000 / (this.seen - 1);
  }

  /**
   * Whether the run's expected time (runEstimate) is due at this batch: once, in the first epoch,
   * after ESTIMATE_AFTER_BATCHES batches and ESTIMATE_AFTER_SECONDS seconds, or at its end.
   */
  estimateDue(p: BatchProgress): boolean {
    if (this.said || p.epoch !== 1 || p.batch < Math.min(ESTIMATE_AFTER_BATCHES, p.batches)) return false;
    if (p.seconds < ESTIMATE_AFTER_SECONDS && p.batch < p.batches) return false;
    this.said = true;
    return true;
  }

  /** Notes a batch; the seconds left in the run. */
  batch(p: BatchProgress): number {
    if (this.first === null) this.first = this.now();
    this.seen++;
    this.last = p;
    const rate = this.secondsPerBatch();
    return rate * (p.batches - p.batch + (p.epochs - p.epoch) * p.batches);
  }

  /**
   * The seconds left after an epoch; 0 when the loop says the run is finished (`loopEta` 0), and
   * the loop's estimate when this process saw a single batch.
   */
  epoch(r: EpochRecord, loopEta: number): number {
    if (loopEta <= 0) return 0;
    const rate = this.secondsPerBatch();
    const batches = this.last?.batches;
    return Number.isFinite(rate) && batches !== undefined ? rate * batches * ((this.last?.epochs ?? r.epoch) - r.epoch) : loopEta;
  }
}

/** Seconds between progress lines when the output is not a terminal. */
export const PLAIN_LINE_SECONDS = 30;

/**
 * Callbacks for a terminal: a redrawn bar on a TTY, else a line per epoch. On a TTY the bar
 * carries the ETA and the epoch lines above it do not, so one ETA is on screen; in a log every
 * line carries it (each the latest, from the same estimate).
 */
export function terminalProgress(
  run: ProgressRun,
  stream: NodeJS.WriteStream = process.stderr,
  options: { cheaper?: CheaperHint | null; now?: () => number } = {},
): TrainCallbacks {
  const epochs = typeof run === "number" ? run : run.epochs;
  const cheaper = options.cheaper === undefined ? cliCheaper : options.cheaper;
  const now = options.now ?? (() => performance.now());
  const clock = new RunClock(now);
  const tty = Boolean(stream.isTTY);
  let lastDraw = 0;
  let lastLine = now();
  return {
    onBatch(p) {
      const eta = { ...p, etaSeconds: clock.batch(p) };
      if (clock.estimateDue(p)) stream.write(`${tty ? "\r\u001b[K" : ""}${runEstimate(p, clock.secondsPerBatch(), run, cheaper)}\n`);
      const t = now();
      if (!tty) {
        // Logs get a line at least every 30 s, so a long epoch is visibly alive.
        if (t - lastLine >= PLAIN_LINE_SECONDS * 1000) {
          lastLine = t;
          stream.write(`${batchLine(eta)}\n`);
        }
        return;
      }
      if (t - lastDraw < 200 && p.batch < p.batches) return;
      lastDraw = t;
      const width = 24;
      const filled = Math.round((width * p.batch) / p.batches);
      stream.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${batchLine(eta)}\u001b[K`);
    },
    onEpoch(r, _history, eta) {
      const left = clock.epoch(r, eta);
      stream.write(`${tty ? "\r\u001b[K" : ""}${epochLine(r, epochs, tty && left > 0 ? null : left)}\n`);
    },
    log: (line) => stream.write(`${tty ? "\r\u001b[K" : ""}${line}\n`),
  };
}

/** "1 epoch", "5 epochs". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/**
 * The one line a training run ends with: what ran, or, after an interrupt, that the
 * checkpoint is saved and how to resume (`resumeHint`: the notebook's or the CLI's way).
 */
export function trainingSummary(
  r: Pick<TrainResult, "history" | "seconds" | "backend" | "threads" | "bestEpoch" | "interrupted" | "interruptedAt" | "dir" | "config">,
  resumeHint: string,
): string {
  const adapter = r.backend.adapter
    ? ` (${r.backend.adapter.description || r.backend.adapter.device}, ${r.backend.adapter.software ? "software" : "hardware"})`
    : "";
  const where = `on ${r.backend.name}${adapter} with ${plural(r.threads, "thread")}`;
  const ran = `${plural(r.history.length, "epoch")} in ${formatDuration(r.seconds)} ${where}`;
  if (r.interrupted) {
    const at = r.interruptedAt;
    const stop = at ? `in epoch ${at.epoch} after batch ${at.batch}/${at.batches}` : `after epoch ${r.history.length}`;
    const done = `${r.history.length} of ${plural(r.config.epochs, "epoch")} done in ${formatDuration(r.seconds)} ${where}`;
    return `training interrupted ${stop} (${done}): checkpoint saved in ${r.dir}; ${resumeHint} to resume`;
  }
  return `${ran}; best epoch ${r.bestEpoch}`;
}
