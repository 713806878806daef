// The strong-generalisation split of Liang et al. (2018): whole users are held out for
// validation and test.

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
