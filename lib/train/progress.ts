// Training progress as text: the epoch and batch lines, and the terminal callbacks (a
// redrawn bar on a TTY; elsewhere, as in logs, CI or nohup, a line at least every 30 s and
// one per epoch). Early in a run, one line says what the whole run will take and what is
// cheaper. The notebook's live view is in notebook/progress.ts.
import type { EpochRecord } from "../model/history";
import type { BatchProgress, TrainCallbacks, TrainResult } from "./loop";

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  if (seconds < 60) return `${seconds.toFixed(0)} s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m} min ${Math.round(seconds - 60 * m)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** The status line of an epoch: loss, beta, validation nDCG@100, time and ETA. */
export function epochLine(r: EpochRecord, epochs: number, etaSeconds: number): string {
  const valid =
    r.validNdcgUnconditioned === null
      ? ""
      : `  valid nDCG@100 ${r.validNdcgConditioned !== null ? `condition rows ${r.validNdcgConditioned.toFixed(4)}, ` : ""}no ` +
        `condition ${r.validNdcgUnconditioned.toFixed(4)}`;
  return (
    `epoch ${r.epoch}/${epochs}  loss ${r.loss.toFixed(3)}  beta ${r.beta.toFixed(4)}${valid}  ${r.seconds.toFixed(1)} ` +
    `s (${Math.round(r.rowsPerSecond)} rows/s)  ETA ${etaSeconds > 0 ? formatDuration(etaSeconds) : "done"}`
  );
}

export function batchLine(p: BatchProgress): string {
  return (
    `epoch ${p.epoch}/${p.epochs}  batch ${p.batch}/${p.batches}  loss ${p.loss.toFixed(3)}  beta ${p.beta.toFixed(4)}  ` +
    `${p.seconds.toFixed(0)} s  ${Math.round(p.rowsPerSecond)} rows/s  ETA ${formatDuration(p.etaSeconds)}`
  );
}

/** Batches measured before the run's expected time is said. */
export const ESTIMATE_AFTER_BATCHES = 5;

/**
 * The expected time of the whole run from the first batches, and what is cheaper: said once,
 * early, so a run of hours is a choice. Null before there is a measurement.
 */
export function runEstimate(p: BatchProgress): string | null {
  if (p.epoch !== 1 || p.batch !== Math.min(ESTIMATE_AFTER_BATCHES, p.batches)) return null;
  const perEpoch = (p.seconds / p.batch) * p.batches;
  const cheaper =
    p.epochs > 5 ? `; cheaper: fewer epochs (the quick preset trains 5, ~${formatDuration(5 * perEpoch)}), or --sampler balanced` : "";
  const whole = `~${formatDuration(p.epochs * perEpoch)} for ${p.epochs} epochs (early stopping may end it sooner)`;
  return `expected: ~${formatDuration(perEpoch)} an epoch, ${whole}${cheaper}`;
}

/** Seconds between progress lines when the output is not a terminal. */
export const PLAIN_LINE_SECONDS = 30;

/** Callbacks for a terminal: a redrawn bar on a TTY, else a line per epoch. */
export function terminalProgress(epochs: number, stream: NodeJS.WriteStream = process.stderr): TrainCallbacks {
  const tty = Boolean(stream.isTTY);
  let lastDraw = 0;
  let lastLine = performance.now();
  return {
    onBatch(p) {
      const estimate = runEstimate(p);
      if (estimate) stream.write(`${tty ? "\r\u001b[K" : ""}${estimate}\n`);
      const now = performance.now();
      if (!tty) {
        // Logs get a line at least every 30 s, so a long epoch is visibly alive.
        if (now - lastLine >= PLAIN_LINE_SECONDS * 1000) {
          lastLine = now;
          stream.write(`${batchLine(p)}\n`);
        }
        return;
      }
      if (now - lastDraw < 200 && p.batch < p.batches) return;
      lastDraw = now;
      const width = 24;
      const filled = Math.round((width * p.batch) / p.batches);
      stream.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${batchLine(p)}\u001b[K`);
    },
    onEpoch(r, _history, eta) {
      stream.write(`${tty ? "\r\u001b[K" : ""}${epochLine(r, epochs, eta)}\n`);
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
  const where = `on ${r.backend.name} with ${plural(r.threads, "thread")}`;
  const ran = `${plural(r.history.length, "epoch")} in ${formatDuration(r.seconds)} ${where}`;
  if (r.interrupted) {
    const at = r.interruptedAt;
    const stop = at ? `in epoch ${at.epoch} after batch ${at.batch}/${at.batches}` : `after epoch ${r.history.length}`;
    const done = `${r.history.length} of ${plural(r.config.epochs, "epoch")} done in ${formatDuration(r.seconds)} ${where}`;
    return `training interrupted ${stop} (${done}): checkpoint saved in ${r.dir}; ${resumeHint} to resume`;
  }
  return `${ran}; best epoch ${r.bestEpoch}`;
}
