// Training progress as text: the epoch and batch lines, and the terminal callbacks (a
// redrawn bar on a TTY, a line per epoch elsewhere). The notebook's live view is in
// notebook/progress.ts.
import type { EpochRecord } from "../model/history";
import type { BatchProgress, TrainCallbacks } from "./loop";

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
      : `  valid nDCG@100 ${r.validNdcgConditioned !== null ? `genre rows ${r.validNdcgConditioned.toFixed(4)}, ` : ""}no ` +
        `condition ${r.validNdcgUnconditioned.toFixed(4)}`;
  return (
    `epoch ${r.epoch}/${epochs}  loss ${r.loss.toFixed(3)}  beta ${r.beta.toFixed(4)}${valid}  ${r.seconds.toFixed(1)} ` +
    `s (${Math.round(r.rowsPerSecond)} rows/s)  ETA ${etaSeconds > 0 ? formatDuration(etaSeconds) : "done"}`
  );
}

export function batchLine(p: BatchProgress): string {
  return (
    `epoch ${p.epoch}/${p.epochs}  batch ${p.batch}/${p.batches}  loss ` +
    `${p.loss.toFixed(3)}  beta ${p.beta.toFixed(4)}  ${p.seconds.toFixed(0)} s`
  );
}

/** Callbacks for a terminal: a redrawn bar on a TTY, else a line per epoch. */
export function terminalProgress(epochs: number, stream: NodeJS.WriteStream = process.stderr): TrainCallbacks {
  const tty = Boolean(stream.isTTY);
  let lastDraw = 0;
  return {
    onBatch(p) {
      if (!tty) return;
      const now = performance.now();
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
