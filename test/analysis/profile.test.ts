import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { vocabularyOf } from "../../lib/model/checkpoint";
import { initParams, paramLayout } from "../../lib/model/parameters";
import { encodeUnderConditions, type LatentSet, sampleUsers, userTopGenres } from "../../lib/analysis/latent";
import { interactionsPerGenre } from "../../lib/data/conditions/genres";
import { CvaeModel } from "../../lib/model/cvae-model";
import { readMovieLens } from "../../lib/data/movielens/movielens";
import { preprocess } from "../../lib/data/protocol/preprocess";
import type { ProcessedDataset } from "../../lib/data/schema";
import {
  agreementWithHistory,
  clearestUser,
  genreScores,
  hintsFor,
  profileAgreement,
  profileCard,
  profileGenres,
  profileSpace,
  profileSubject,
  profilingHints,
  seriousAxisPoints,
  seriousPosition,
  trainingHistory,
  watchedShares,
} from "../../lib/analysis/profile";
import { Rng } from "../../lib/core/rng";
import type { RawDataset } from "../../lib/data/schema";
import { makeTrainConfig } from "../../lib/train/config";

function close(a: number, b: number, tol: number, what = ""): void {
  assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b} (tol ${tol})`);
}

// A hand-built LatentSet: 7 genres at fixed 3-d centres, each genre's rows = centre + N(0, 0.02^2)
// (seeded), and 7 users whose unconditioned latents sit near specific centroids:
//   user 0 in the middle, 1 near Thriller, 2 near Comedy, 3 near Drama, 4 near Action,
//   5 near Romance, 6 near Crime.
// Hand-derived values below (distances, percentiles, serious positions) were computed from the
// exact centres with numpy 1.24.2:
//   /usr/bin/python3 -c "import numpy as np; C = np.array(CENTRES); Z = np.array(USERS);
//     S = -np.linalg.norm(Z[:, None] - C[None], axis=2); ..."  (see each test for the formula).
// The centroid noise is about 0.02 / sqrt(7) = 0.008 per dim; every ranking used has a gap of at
// least 0.07 (the smallest gap between two users' distances to one genre), so noise cannot reorder it.
const NEUTRAL = "(no genres listed)";
const GENRES = [NEUTRAL, "Action", "Comedy", "Crime", "Drama", "Romance", "Thriller"];
const CENTRES: Record<string, number[]> = {
  [NEUTRAL]: [0, 0, 10],
  Action: [4, -3, 0],
  Comedy: [-4, 0, 0],
  Crime: [4, 0, 3],
  Drama: [0, 4, 0],
  Romance: [-4, 3, 0],
  Thriller: [4, 0, 0],
};
const USER_Z = [
  [0.3, 0.5, 0.5],
  [3.5, 0.2, 0],
  [-3.5, 0.3, 0],
  [0.2, 3.6, 0],
  [3.4, -2.6, 0],
  [-3.6, 2.6, 0],
  [3.5, 0, 2.8],
];
const L = 3;

function handSet(genres: readonly string[] = GENRES): LatentSet {
  const U = USER_Z.length;
  const rows = U * (genres.length + 1);
  const z = new Float32Array(rows * L);
  const userOf = new Int32Array(rows);
  const condition = new Int32Array(rows);
  const rng = new Rng(21);
  for (let r = 0; r < rows; r++) {
    const u = r % U;
    const c = Math.floor(r / U) - 1;
    userOf[r] = u;
    condition[r] = c;
    const at = c < 0 ? USER_Z[u] : CENTRES[genres[c]];
    for (let j = 0; j < L; j++) z[r * L + j] = at[j] + (c < 0 ? 0 : 0.02 * rng.normal());
  }
  return {
    userRows: Int32Array.from({ length: U }, (_, i) => 10 + i),
    userIds: Int32Array.from({ length: U }, (_, i) => 1000 + i),
    userOf,
    condition,
    conditions: [...genres],
    z,
    dims: L,
    rows,
  };
}

const set = handSet();
const space = profileSpace(set);
const userZ = (u: number) => set.z.subarray(u * L, (u + 1) * L);

/** Each user's nearest 3 genres (numpy, exact centres: argsort of the distances, neutral left out). */
const NEAREST3 = [
  ["Drama", "Thriller", "Comedy"],
  ["Thriller", "Crime", "Action"],
  ["Comedy", "Romance", "Drama"],
  ["Drama", "Romance", "Thriller"],
  ["Action", "Thriller", "Crime"],
  ["Romance", "Comedy", "Drama"],
  ["Crime", "Thriller", "Action"],
];
/** Watched genre shares whose (serious - light) lean has the same order as the serious positions. */
const SHARES: Record<string, number>[] = [
  { Drama: 0.6, Thriller: 0.2, Comedy: 0.2 }, // lean 0
  { Thriller: 0.5, Drama: 0.5 }, // 0.5
  { Comedy: 0.5, Romance: 0.3, Drama: 0.2 }, // -0.8
  { Drama: 0.5, Romance: 0.4, Thriller: 0.1 }, // -0.3
  { Action: 0.5, Thriller: 0.3, Drama: 0.2 }, // 0.8
  { Romance: 0.6, Comedy: 0.3, Drama: 0.1 }, // -0.9
  { Crime: 0.4, Thriller: 0.2, Drama: 0.4 }, // 0.6
];
const LEAN = [0, 0.5, -0.8, -0.3, 0.8, -0.9, 0.6];
/** numpy: ((Z - Z.mean(0)) @ axis) with axis = unit(mean(Action, Crime, Thriller) - mean(Comedy, Romance)). */
const SERIOUS = [-0.1802433, 2.8822004, -3.78172448, -1.25239477, 3.61671301, -4.55770151, 3.27315066];

describe("profileSpace(set)", () => {
  it("profileSpace's centroids are the means of each genre's rows and its centre the mean of the unconditioned rows", () => {
    const G = GENRES.length;
    assert.deepEqual(space.genres, GENRES);
    assert.equal(space.dims, L);
    assert.equal(space.users, USER_Z.length);
    for (let g = 0; g < G; g++) {
      for (let j = 0; j < L; j++) {
        let s = 0;
        let n = 0;
        for (let r = 0; r < set.rows; r++)
          if (set.condition[r] === g) {
            s += set.z[r * L + j];
            n++;
          }
        close(space.centroids[g * L + j], s / n, 1e-12, `${GENRES[g]} dim ${j}`);
        close(space.centroids[g * L + j], CENTRES[GENRES[g]][j], 0.03, `${GENRES[g]} near its centre`);
      }
    }
    // Centre by hand: mean of USER_Z = (3.8, 4.6, 3.3) / 7.
    [3.8 / 7, 4.6 / 7, 3.3 / 7].forEach((v, j) => close(space.centre[j], v, 1e-6, `centre ${j}`));
  });

  it("profileSpace's serious axis is the unit vector from the light to the serious centroids", () => {
    // By hand from the exact centres: mean(Action, Crime, Thriller) - mean(Comedy, Romance) = (8, -2.5, 1),
    // |.| = sqrt(71.25), unit = (0.94776, -0.29617, 0.11847); the centroid noise moves it by < 0.01.
    const axis = space.seriousAxis as Float64Array;
    assert.ok(axis);
    close(Math.hypot(...axis), 1, 1e-12);
    [8, -2.5, 1].forEach((v, j) => close(axis[j], v / Math.sqrt(71.25), 0.01, `axis ${j}`));
  });

  it("profileSpace's population holds each user's genre scores (users x genres)", () => {
    assert.equal(space.population.length, USER_Z.length * GENRES.length);
    for (let u = 0; u < USER_Z.length; u++)
      assert.deepEqual(space.population.subarray(u * GENRES.length, (u + 1) * GENRES.length), genreScores(space, userZ(u)));
  });
});

describe("genreScores(space, z)", () => {
  it("genreScores is minus the distance to each genre centroid", () => {
    const comedy = space.centroids.subarray(2 * L, 3 * L);
    const s = genreScores(space, comedy);
    close(s[2], 0, 1e-12, "Comedy to itself");
    // Comedy (-4,0,0) to Thriller (4,0,0): 8; to Romance (-4,3,0): 3; to the neutral (0,0,10): sqrt(116).
    close(s[6], -8, 0.03, "Thriller");
    close(s[5], -3, 0.03, "Romance");
    close(s[0], -Math.sqrt(116), 0.03, "neutral");
    const z = [1, 2, 3];
    genreScores(space, z).forEach((v, g) =>
      close(v, -Math.hypot(...Array.from(space.centroids.subarray(g * L, g * L + L), (c, j) => z[j] - c)), 1e-12),
    );
  });
});

describe("profileGenres(space, z, n)", () => {
  it("profileGenres lists the nearest genre centroids, nearest first, and never the neutral genre", () => {
    // z = (0.5, 1, 10) is 1.1 from the neutral centroid; then (by hand) Crime 7.89, Drama 10.45,
    // Thriller 10.64, Comedy 11.01, Romance 11.15, Action 11.32.
    const z = [0.5, 1, 10];
    assert.deepEqual(profileGenres(space, z, 3), ["Crime", "Drama", "Thriller"]);
    assert.deepEqual(profileGenres(space, z, 10), ["Crime", "Drama", "Thriller", "Comedy", "Romance", "Action"]);
    assert.deepEqual(profileGenres(space, z, 0), []);
  });

  it("profileGenres of each hand-placed user is its nearest 3 (numpy argsort of the distances)", () => {
    NEAREST3.forEach((want, u) => assert.deepEqual(profileGenres(space, userZ(u)), want, `user ${u}`));
  });
});

describe("seriousPosition(space, z)", () => {
  it("seriousPosition is positive near Thriller, Action and Crime and negative near Comedy and Romance", () => {
    for (const u of [1, 4, 6]) assert.ok(seriousPosition(space, userZ(u)) > 0, `user ${u}`);
    for (const u of [2, 5]) assert.ok(seriousPosition(space, userZ(u)) < 0, `user ${u}`);
  });

  it("seriousPosition is 0 at the unconditioned centre and t at centre + t * axis", () => {
    const axis = space.seriousAxis as Float64Array;
    close(seriousPosition(space, space.centre), 0, 1e-15);
    close(
      seriousPosition(
        space,
        Array.from(space.centre, (c, j) => c + 2.5 * axis[j]),
      ),
      2.5,
      1e-12,
    );
  });

  it("seriousPosition of the hand-placed users matches numpy within the centroid noise", () => {
    SERIOUS.forEach((v, u) => close(seriousPosition(space, userZ(u)), v, 0.03, `user ${u}`));
  });

  it("seriousPosition is NaN (and the axis null) when a light or a serious genre is missing", () => {
    for (const missing of ["Romance", "Crime"]) {
      const s = profileSpace(handSet(GENRES.filter((g) => g !== missing)));
      assert.equal(s.seriousAxis, null);
      assert.ok(Number.isNaN(seriousPosition(s, [1, 2, 3])), missing);
    }
  });
});

describe("hintsFor(space, z, n)", () => {
  it("hintsFor user 1 (near Thriller) gives Thriller 6/7, then Action and Crime at 5/7 (ties alphabetical)", () => {
    // Percentile = share of users with a lower score (farther away). User 1 is the unique closest user to
    // Thriller (0.54; next 2.67) -> 6/7; only user 4 is closer to Action and only user 6 to Crime -> 5/7.
    assert.deepEqual(hintsFor(space, userZ(1)), [
      { genre: "Thriller", percentile: 6 / 7 },
      { genre: "Action", percentile: 5 / 7 },
      { genre: "Crime", percentile: 5 / 7 },
    ]);
  });

  it("hintsFor returns at most n hints, each a lean stronger than the median user's, most unusual first, never the neutral genre", () => {
    for (let u = 0; u < USER_Z.length; u++) {
      const hints = hintsFor(space, userZ(u), 6);
      assert.ok(hints.length >= 1 && hints.length <= 6);
      assert.ok(hints.every((h) => h.percentile > 0.5 && h.percentile <= 1 && h.genre !== NEUTRAL));
      for (let k = 1; k < hints.length; k++) assert.ok(hints[k - 1].percentile >= hints[k].percentile);
    }
    // A point beyond everyone's reach: every user is nearer to every genre, so it leans to none.
    assert.deepEqual(hintsFor(space, [100, 100, 100], 6), []);
  });
});

describe("profileAgreement(space, set, watchedTop, watchedShares, popularTop)", () => {
  it(
    "profileAgreement's overlap@3 is 1 when each user's watched top 3 is " +
      "its nearest 3, and the popularity baseline is the hand value 4/7",
    () => {
      // Baseline by hand: |{Drama, Comedy, Thriller} ∩ NEAREST3[u]| = 3, 1, 2, 2, 1, 2, 1 -> 12 / 21 = 4/7.
      const a = profileAgreement(space, set, NEAREST3, SHARES, ["Drama", "Comedy", "Thriller", "Action"]);
      assert.equal(a.users, 7);
      close(a.overlapAt3, 1, 1e-12);
      close(a.popularityOverlapAt3, 4 / 7, 1e-12);
      // Leans were chosen in the order of the serious positions -> Spearman 1.
      close(a.seriousAxisSpearman, 1, 1e-12);
    },
  );

  it("profileAgreement's overlap@3 counts partial matches (by hand: 1/3 per user here)", () => {
    const oneEach = NEAREST3.map((top) => [top[2], "x", "y"]);
    close(profileAgreement(space, set, oneEach, SHARES, []).overlapAt3, 1 / 3, 1e-12);
  });

  it("profileAgreement's serious-axis Spearman is NaN without a serious axis", () => {
    const s = handSet(GENRES.filter((g) => g !== "Comedy"));
    assert.ok(Number.isNaN(profileAgreement(profileSpace(s), s, NEAREST3, SHARES, []).seriousAxisSpearman));
  });
});

describe("seriousAxisPoints(space, set, shares)", () => {
  it("seriousAxisPoints gives each user's serious position and (serious - light) share of the history", () => {
    const { position, lean } = seriousAxisPoints(space, set, SHARES);
    assert.equal(position.length, 7);
    position.forEach((p, u) => close(p, seriousPosition(space, userZ(u)), 0));
    LEAN.forEach((v, u) => close(lean[u], v, 1e-12, `lean ${u}`));
  });
});

describe("profileCard(space, set, shares, u)", () => {
  it("profileCard of user 1 has its id, profile, hints, serious position and percentile, and watched genres", () => {
    const card = profileCard(space, set, SHARES[1], 1);
    assert.equal(card.userId, 1001);
    assert.deepEqual(card.profile, ["Thriller", "Crime", "Action"]);
    assert.deepEqual(card.hints, hintsFor(space, userZ(1)));
    close(card.serious, SERIOUS[1], 0.03);
    // Users with a lower serious position: 0, 2, 3, 5 -> 4/7 (from SERIOUS).
    close(card.seriousPercentile, 4 / 7, 0);
    // Equal shares sort alphabetically.
    assert.deepEqual(card.watched, [
      { genre: "Drama", share: 0.5, inProfile: false },
      { genre: "Thriller", share: 0.5, inProfile: true },
    ]);
  });

  it("profileCard rejects a user index outside the sample", () => {
    assert.throws(() => profileCard(space, set, {}, 7), /outside 0\.\.6/);
    assert.throws(() => profileCard(space, set, {}, -1), RangeError);
  });
});

describe("clearestUser(space, set)", () => {
  it("clearestUser picks the first user whose strongest hint is the most unusual (user 1, not the middle user 0)", () => {
    // Strongest hint per user (numpy): user 0 -> 5/7 (Drama); users 1..6 -> 6/7 each; ties keep the first.
    assert.equal(hintsFor(space, userZ(0), 1)[0].percentile, 5 / 7);
    assert.equal(clearestUser(space, set), 1);
  });
});

describe("profileSubject(space, set, userId)", () => {
  it("profileSubject without an id is the clearest user, with an id that user's index in the sample", () => {
    assert.equal(profileSubject(space, set), clearestUser(space, set));
    assert.equal(profileSubject(space, set, set.userIds[3]), 3);
  });

  it("profileSubject rejects an id outside the sample, naming ids that are in it", () => {
    assert.throws(
      () => profileSubject(space, set, 99999),
      new RegExp(`user 99999 is not among the ${set.userRows.length} sampled users; pick one of e.g. ${set.userIds[0]}`),
    );
  });
});

describe("watchedShares, trainingHistory and profilingHints on ml-small", () => {
  let raw: RawDataset;
  let ds: ProcessedDataset;
  let model: CvaeModel;
  let sample: LatentSet;
  let mlSpace: ReturnType<typeof profileSpace>;

  before(async () => {
    await tf.setBackend("cpu");
    raw = readMovieLens(join(__dirname, "..", "fixtures", "ml-small"));
    ds = preprocess(raw, "ml-small");
    const dims = { items: ds.summary.items, conditions: ds.genres.length, hidden: 16, latentDim: 4 };
    model = new CvaeModel(
      makeTrainConfig({ dataset: "ml-small", hidden: 16, latent: 4 }),
      dims,
      initParams(paramLayout(dims), new Rng(1)),
      vocabularyOf(ds),
    );
    sample = await encodeUnderConditions(model, ds, sampleUsers(ds, { users: 20, seed: 4 }));
    mlSpace = profileSpace(sample);
  });

  it("watchedShares per user sum to the mean number of genres of the user's training items", () => {
    const rows = [0, 5, 33, ds.train.matrix.rows - 1];
    const shares = watchedShares(ds, rows);
    const genresOf = new Map<number, string[]>();
    ds.movies.movieIds.forEach((id, k) => genresOf.set(id, ds.movies.genres[k]));
    rows.forEach((row, k) => {
      const ids = trainingHistory(ds, row);
      const meanGenres = ids.reduce((s, id) => s + (genresOf.get(id) as string[]).length, 0) / ids.length;
      close(
        Object.values(shares[k]).reduce((a, b) => a + b, 0),
        meanGenres,
        1e-12,
        `row ${row}`,
      );
      // Each share = items of that genre / items (independent count over the catalogue).
      for (const [g, share] of Object.entries(shares[k]))
        close(share, ids.filter((id) => (genresOf.get(id) as string[]).includes(g)).length / ids.length, 1e-12, `${g}`);
    });
  });

  it("trainingHistory returns the movie ids of the train matrix row, each a positive rating (> 3.5) of that user", () => {
    const row = 7;
    const ids = trainingHistory(ds, row);
    const m = ds.train.matrix;
    assert.deepEqual(
      ids,
      Array.from(m.indices.subarray(m.indptr[row], m.indptr[row + 1]), (i) => ds.itemMovieIds[i]),
    );
    assert.equal(new Set(ids).size, ids.length);
    const user = ds.train.userIds[row];
    const positive = new Set<number>();
    for (let k = 0; k < raw.ratings.length; k++)
      if (raw.ratings.userIds[k] === user && raw.ratings.ratings[k] > 3.5) positive.add(raw.ratings.movieIds[k]);
    assert.ok(ids.length > 0 && ids.every((id) => positive.has(id)));
  });

  it("agreementWithHistory equals profileAgreement with the users' top-3 genres and the popularity order without the neutral genre", () => {
    const shares = watchedShares(ds, sample.userRows);
    const popular = interactionsPerGenre(ds)
      .map((g) => g.genre)
      .filter((g) => g !== "(no genres listed)");
    assert.deepEqual(
      agreementWithHistory(ds, mlSpace, sample, shares),
      profileAgreement(mlSpace, sample, userTopGenres(ds, sample.userRows, 3), shares, popular),
    );
  });

  it("trainingHistory rejects a row outside the train matrix", () => {
    assert.throws(() => trainingHistory(ds, ds.train.matrix.rows), /outside 0\.\./);
    assert.throws(() => trainingHistory(ds, -1), RangeError);
  });

  it("profilingHints of a sampled user's history returns n hints and equals the hints of the user's own latent", async () => {
    const history = trainingHistory(ds, sample.userRows[0]);
    const out = await profilingHints(model, ds, mlSpace, [...history, 99999999, history[0]], 3);
    assert.equal(out.hints.length, 3);
    assert.equal(out.profile.length, 3);
    assert.deepEqual(out.unknownMovies, [99999999]);
    const z = sample.z.subarray(0, sample.dims);
    close(out.serious, seriousPosition(mlSpace, z), 1e-5);
    assert.deepEqual(out.hints, hintsFor(mlSpace, z, 3));
    assert.deepEqual(out.profile, profileGenres(mlSpace, z, 3));
    assert.equal((await profilingHints(model, ds, mlSpace, history, 5)).hints.length, 5);
  });

  it("profilingHints throws a clear error when no movie of the history is known to the model", async () => {
    await assert.rejects(() => profilingHints(model, ds, mlSpace, [99999999, 88888888]), /none of the 2 movies is known/);
  });
});
