// Training progress for people: in a notebook, one status line and the training curves,
// both updated in place (tslab's updatable display); in a terminal, a progress bar per
// epoch and a line per finished epoch.
import type { EpochRecord } from "../model/history";
import { LiveDisplay } from "../notebook/display";
import { trainingCurves } from "../figures/training";
import { escapeHtml } from "../core/html";
import type { BatchProgress, TrainCallbacks } from "./loop";

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  if (seconds < 60) return `${seconds.toFixed(0)} s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m} min ${Math.round(seconds - 60 * m)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** The status line of an epoch: loss, beta, validation nDCG@100, time and ETA. */
export function epochLine(r: EpochRecord, epochs: number, etaSeconds: number): string {
  const valid = r.validNdcgUnconditioned === null ? "" : `  valid nDCG@100 ${r.validNdcgConditioned !== null ? `genre rows ${r.validNdcgConditioned.toFixed(4)}, ` : ""}no condition ${r.validNdcgUnconditioned.toFixed(4)}`;
  return `epoch ${r.epoch}/${epochs}  loss ${r.loss.toFixed(3)}  beta ${r.beta.toFixed(4)}${valid}  ${r.seconds.toFixed(1)} s (${Math.round(r.rowsPerSecond)} rows/s)  ETA ${etaSeconds > 0 ? formatDuration(etaSeconds) : "done"}`;
}

function batchLine(p: BatchProgress): string {
  return `epoch ${p.epoch}/${p.epochs}  batch ${p.batch}/${p.batches}  loss ${p.loss.toFixed(3)}  beta ${p.beta.toFixed(4)}  ${p.seconds.toFixed(0)} s`;
}

/** Callbacks that redraw a status line and the curves in the notebook cell. */
export function notebookProgress(epochs: number, options: { subtitle?: string } = {}): TrainCallbacks {
  const status = new LiveDisplay();
  const curves = new LiveDisplay();
  let lastBatch = 0;
  let lastEpoch = "";
  const show = (text: string) => status.update({ html: `<pre style="margin:0">${escapeHtml(text)}</pre>`, text });
  return {
    onBatch(p) {
      const now = performance.now();
      if (now - lastBatch < 1000 && p.batch < p.batches) return; // at most one redraw a second
      lastBatch = now;
      show(`${lastEpoch ? `${lastEpoch}\n` : ""}${batchLine(p)}`);
    },
    onEpoch(r, history, eta) {
      lastEpoch = epochLine(r, epochs, eta);
      show(lastEpoch);
      curves.update(trainingCurves(history, { subtitle: options.subtitle }));
    },
    log: (line) => console.log(line),
  };
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
