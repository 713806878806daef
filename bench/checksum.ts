// An order-free checksum of held-out (user, movie) pairs, computed the same way as
// bench/pandas_preprocess.py, to show both tools produce the very same split.
import type { Csr } from "../lib/schema";

export function splitChecksum(userIds: Int32Array, heldOut: Csr, itemMovieIds: Int32Array): number {
  let sum = 0;
  for (let r = 0; r < heldOut.rows; r++) {
    for (let k = heldOut.indptr[r]; k < heldOut.indptr[r + 1]; k++) {
      sum = (sum + ((userIds[r] * 1000003 + itemMovieIds[heldOut.indices[k]]) % 2 ** 32)) % 2 ** 32;
    }
  }
  return sum;
}
