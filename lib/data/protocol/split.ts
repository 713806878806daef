// The strong-generalisation split of Liang et al. (2018): whole users are held out for
// validation and test, and each held-out user's items are split into fold-in (the model's
// input) and held-out (what it must rank).
import { Rng } from "../../core/rng";
import type { HeldOutSplit, SplitCounts } from "../schema";
import { csrFromPairs, nnz } from "../sparse";

/**
 * Users held out for validation and for test, each: 10,000 when there are more than
 * 100,000 users (as for ML-20M), else 10 % rounded; an explicit `heldout` wins.
 */
export function heldoutCount(users: number, heldout?: number | null): number {
  if (!Number.isInteger(users) || users < 0) throw new RangeError(`users must be a non-negative integer, got ${users}`);
  if (heldout !== undefined && heldout !== null) {
    if (!Number.isInteger(heldout) || heldout < 0) throw new RangeError(`heldout must be a non-negative integer, got ${heldout}`);
    if (2 * heldout >= users) throw new RangeError(`heldout ${heldout} x 2 leaves no training users out of ${users}`);
    return heldout;
  }
  return users > 100_000 ? 10_000 : Math.round(0.1 * users);
}

/**
 * The held-out split of `candidates` (dense user indices): each user's items (file order)
 * are permuted and the first max(floor(testProportion * n), 1) are held out; users with
 * fewer than 2 items are dropped (rectorch's rule). The RNG is a fresh stream seeded with
 * `seed` per split, as in the reference scripts.
 */
export function splitHeldOutUsers(
  candidates: readonly number[],
  itemsOf: (user: number, out: number[]) => void,
  items: number,
  options: { seed: number; testProportion: number },
  userIdOf: (user: number) => number,
): { data: HeldOutSplit; counts: SplitCounts } {
  const rng = new Rng(options.seed);
  const kept: number[] = [];
  const inRow: number[] = [];
  const inCol: number[] = [];
  const outRow: number[] = [];
  const outCol: number[] = [];
  const own: number[] = [];
  for (const u of candidates) {
    itemsOf(u, own);
    if (own.length < 2) continue;
    const row = kept.push(u) - 1;
    const size = Math.max(Math.floor(options.testProportion * own.length), 1);
    const held = new Uint8Array(own.length);
    const pick = rng.permutation(own.length);
    for (let k = 0; k < size; k++) held[pick[k]] = 1;
    own.forEach((item, k) => {
      if (held[k]) {
        outRow.push(row);
        outCol.push(item);
      } else {
        inRow.push(row);
        inCol.push(item);
      }
    });
  }
  const foldIn = csrFromPairs(kept.length, items, inRow, inCol);
  const heldOut = csrFromPairs(kept.length, items, outRow, outCol);
  return {
    data: { userIds: Int32Array.from(kept, userIdOf), foldIn, heldOut },
    counts: {
      candidateUsers: candidates.length,
      users: kept.length,
      droppedUsers: candidates.length - kept.length,
      foldInInteractions: nnz(foldIn),
      heldOutInteractions: nnz(heldOut),
    },
  };
}
