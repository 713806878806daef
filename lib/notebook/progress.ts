// Training progress in a notebook cell: one status line and the training curves, both
// updated in place (tslab's updatable display).
import { escapeHtml } from "../core/html";
import { trainingCurves } from "../figures/training";
import type { TrainCallbacks } from "../train/loop";
import { batchLine, epochLine, runEstimate } from "../train/progress";
import { LiveDisplay } from "./display";

/** Callbacks that redraw a status line and the curves in the notebook cell. */
export function notebookProgress(epochs: number, options: { subtitle?: string } = {}): TrainCallbacks {
  const status = new LiveDisplay();
  const curves = new LiveDisplay();
  let lastBatch = 0;
  let lastEpoch = "";
  const show = (text: string) => status.update({ html: `<pre style="margin:0">${escapeHtml(text)}</pre>`, text });
  return {
    onBatch(p) {
      const estimate = runEstimate(p);
      if (estimate) console.log(estimate);
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
