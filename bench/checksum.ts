// An order-free checksum of held-out (user, movie) pairs, computed the same way as
// bench/pandas_preprocess.py, to show both tools produce the very same split.
import type { ProcessedDataset } from "../lib/data/schema";
import type { Csr } from "../lib/data/schema";

/** The counts bench/pandas_preprocess.py prints, under its key names. */
export function protocolCounts(ds: ProcessedDataset): Record<string, number> {
  const s = ds.summary;
  return {
    raw_ratings: s.rawRatings,
    positive_ratings: s.positiveRatings,
    filtered_ratings: s.filteredRatings,
    users: s.users,
    heldout: s.heldoutPerSplit,
    train_users: s.trainUsers,
    items: s.items,
    train_interactions: s.trainInteractions,
    catalogue: s.catalogueMovies,
    valid_users: s.valid.users,
    test_users: s.test.users,
    valid_heldout: s.valid.heldOutInteractions,
    test_heldout: s.test.heldOutInteractions,
  };
}

export function splitChecksum(userIds: Int32Array, heldOut: Csr, itemMovieIds: Int32Array): number {
  let sum = 0;
  for (let r = 0; r < heldOut.rows; r++) {
    for (let k = heldOut.indptr[r]; k < heldOut.indptr[r + 1]; k++) {
      sum = (sum + ((userIds[r] * 1000003 + itemMovieIds[heldOut.indices[k]]) % 2 ** 32)) % 2 ** 32;
    }
  }
  return sum;
}
