// The training history: one record per epoch (loss, beta, speed, validation nDCG@100),
// kept in the checkpoint and drawn as the training curves.

export interface EpochRecord {
  epoch: number;
  seconds: number;
  rows: number;
  rowsPerSecond: number;
  loss: number;
  nll: number;
  kl: number;
  beta: number;
  updates: number;
  /** Validation nDCG@100 (zero-condition rows, and condition rows for a C-VAE), when validated. */
  validNdcgUnconditioned: number | null;
  validNdcgConditioned: number | null;
}

/** Mean seconds per epoch so far (for the ETA); NaN for an empty history. */
export function meanEpochSeconds(history: readonly EpochRecord[]): number {
  return history.reduce((a, r) => a + r.seconds, 0) / history.length;
}
