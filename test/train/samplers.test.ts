import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../lib/core/rng";
import { itemEntryConditions } from "../../lib/data/conditions/conditions";
import { RowSampler } from "../../lib/train/samplers";
import { genresOf, HISTORIES, itemGenres, multiset, randomData, train, USER_GENRES } from "../helpers/toy-data";

describe("RowSampler(train, itemGenres, sampler, conditioned, subsample).epoch(rng)", () => {
  it('RowSampler "full" gives one zero-condition row plus one row per genre for every user with items: sum of (c_u + 1) rows', () => {
    // By hand: c = [2, 1, -, 3, 1] for the users with items -> (2+1) + (1+1) + (3+1) + (1+1) = 11 rows.
    const rows = new RowSampler(train, itemEntryConditions(itemGenres), "full", true, 0.2).epoch(new Rng(1));
    assert.equal(rows.users.length, 11);
    const expected: string[] = [];
    HISTORIES.forEach((h, u) => {
      if (h.length === 0) return;
      expected.push(`${u}:-1`);
      for (const g of USER_GENRES[u]) expected.push(`${u}:${g}`);
    });
    assert.deepEqual(multiset(rows), expected.sort());
  });

  it("RowSampler skips users without items (no row can be built from an empty history)", () => {
    for (const sampler of ["full", "balanced", "one-genre"] as const) {
      const rows = new RowSampler(train, itemEntryConditions(itemGenres), sampler, true, 1).epoch(new Rng(1));
      assert.ok(!rows.users.includes(2), sampler);
    }
  });

  it("RowSampler gives only the zero-condition rows, one per user with items, when conditioned is false", () => {
    for (const sampler of ["full", "balanced", "one-genre"] as const) {
      const rows = new RowSampler(train, itemEntryConditions(itemGenres), sampler, false, 1).epoch(new Rng(3));
      assert.deepEqual(multiset(rows), ["0:-1", "1:-1", "3:-1", "4:-1"], sampler);
    }
  });

  it('RowSampler "full" gives every epoch as a permutation of the same multiset, and the same order for the same rng seed', () => {
    const { train: t, itemGenres: ig, histories, genres } = randomData(5);
    const sampler = new RowSampler(t, itemEntryConditions(ig), "full", true, 0.2);
    const expected: string[] = [];
    histories.forEach((h, u) => {
      if (h.length === 0) return;
      expected.push(`${u}:-1`);
      for (const g of genresOf(h, genres)) expected.push(`${u}:${g}`);
    });
    expected.sort();
    const rng = new Rng(9);
    const e1 = sampler.epoch(rng);
    const e2 = sampler.epoch(rng);
    assert.deepEqual(multiset(e1), expected);
    assert.deepEqual(multiset(e2), expected);
    assert.notDeepEqual(Array.from(e1.users), Array.from(e2.users), "two epochs in a row are shuffled differently");
    const again = new RowSampler(t, itemEntryConditions(ig), "full", true, 0.2).epoch(new Rng(9));
    assert.deepEqual(again, e1);
  });

  it(
    'RowSampler "balanced" gives the zero rows plus floor(total genre rows * ' +
      "subsample / C) rows per genre with users, drawn from users having that genre",
    () => {
      const { train: t, itemGenres: ig, histories, genres } = randomData(5);
      const C = 6;
      const userGenreSets = histories.map((h) => new Set(genresOf(h, genres)));
      const total = userGenreSets.reduce((s, g) => s + g.size, 0); // sum of c_u
      const withUsers = Array.from({ length: C }, (_, c) => userGenreSets.some((g) => g.has(c)));
      assert.deepEqual(withUsers, [true, true, true, true, true, false], "fixture: genre 5 has no users");
      // subsample 0.55 makes total * subsample / C = 171 * 0.55 / 6 = 15.675: floor (15) differs from rounding (16).
      const subsample = 0.55;
      assert.equal(total, 171, "fixture: total genre rows");
      const perGenre = Math.floor((total * subsample) / C);
      assert.equal(perGenre, 15);
      const zeroUsers = histories.filter((h) => h.length > 0).length;
      const rows = new RowSampler(t, itemEntryConditions(ig), "balanced", true, subsample, 77).epoch(new Rng(2));
      assert.equal(rows.users.length, zeroUsers + 5 * perGenre);
      const perCond = new Map<number, number>();
      rows.conditions.forEach((c, k) => {
        perCond.set(c, (perCond.get(c) ?? 0) + 1);
        if (c >= 0) assert.ok(userGenreSets[rows.users[k]].has(c), `user ${rows.users[k]} lacks genre ${c}`);
      });
      assert.equal(perCond.get(-1), zeroUsers);
      for (let c = 0; c < 5; c++) assert.equal(perCond.get(c), perGenre, `genre ${c}`);
      assert.equal(perCond.get(5), undefined);
      // Every user with items has exactly one zero row.
      assert.deepEqual(
        Array.from(rows.users)
          .filter((_, k) => rows.conditions[k] === -1)
          .sort((a, b) => a - b),
        histories.flatMap((h, u) => (h.length ? [u] : [])),
      );
    },
  );

  it(
    'RowSampler "balanced" draws its rows once: the same multiset every ' + "epoch and for the same balancedSeed, another for another seed",
    () => {
      const { train: t, itemGenres: ig } = randomData(5);
      const a = new RowSampler(t, itemEntryConditions(ig), "balanced", true, 0.5, 77);
      const rng = new Rng(2);
      const a1 = a.epoch(rng);
      const a2 = a.epoch(rng);
      assert.deepEqual(multiset(a2), multiset(a1));
      assert.notDeepEqual(Array.from(a1.users), Array.from(a2.users), "epochs are reshuffled");
      // Another sampler, same balancedSeed, another shuffling stream: same draw.
      const b1 = new RowSampler(t, itemEntryConditions(ig), "balanced", true, 0.5, 77).epoch(new Rng(123));
      assert.deepEqual(multiset(b1), multiset(a1));
      const c1 = new RowSampler(t, itemEntryConditions(ig), "balanced", true, 0.5, 78).epoch(new Rng(2));
      assert.notDeepEqual(multiset(c1), multiset(a1));
      // Same balancedSeed and same rng seed: the same rows in the same order.
      assert.deepEqual(new RowSampler(t, itemEntryConditions(ig), "balanced", true, 0.5, 77).epoch(new Rng(2)), a1);
    },
  );

  it(
    'RowSampler "one-genre" gives exactly 2 rows per user with items: the ' +
      "zero condition and one of the user's genres, drawn anew each epoch",
    () => {
      const { train: t, itemGenres: ig, histories, genres } = randomData(5);
      const sampler = new RowSampler(t, itemEntryConditions(ig), "one-genre", true, 0.2);
      const rng = new Rng(4);
      const seen = new Map<number, Set<number>>();
      for (let e = 0; e < 20; e++) {
        const rows = sampler.epoch(rng);
        const byUser = new Map<number, number[]>();
        rows.users.forEach((u, k) => byUser.set(u, [...(byUser.get(u) ?? []), rows.conditions[k]]));
        histories.forEach((h, u) => {
          const conds = byUser.get(u);
          if (h.length === 0) return assert.equal(conds, undefined);
          assert.ok(conds && conds.length === 2, `user ${u}: ${conds}`);
          const [zero, genre] = [...conds].sort((a, b) => a - b);
          assert.equal(zero, -1);
          assert.ok(genresOf(h, genres).includes(genre), `user ${u} drew genre ${genre}`);
          seen.set(u, (seen.get(u) ?? new Set()).add(genre));
        });
      }
      // Over 20 epochs a user with several genres draws more than one of them
      // (all 20 draws equal has probability <= 2 * (1/2)^20 per user).
      const multi = histories.map((h, u) => [u, genresOf(h, genres).length] as const).filter(([, n]) => n >= 2);
      assert.ok(multi.length > 10);
      for (const [u] of multi) assert.ok((seen.get(u)?.size ?? 0) >= 2, `user ${u} always drew the same genre`);
    },
  );

  it('RowSampler "one-genre" gives the same rows in the same order for the same rng seed', () => {
    const { train: t, itemGenres: ig } = randomData(5);
    const a = new RowSampler(t, itemEntryConditions(ig), "one-genre", true, 0.2).epoch(new Rng(31));
    const b = new RowSampler(t, itemEntryConditions(ig), "one-genre", true, 0.2).epoch(new Rng(31));
    const c = new RowSampler(t, itemEntryConditions(ig), "one-genre", true, 0.2).epoch(new Rng(32));
    assert.deepEqual(b, a);
    assert.notDeepEqual(c, a);
  });
});
