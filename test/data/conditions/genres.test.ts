import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { genreCooccurrence, genresPerUser, imaxBreakdown, interactionsPerGenre, moviesPerGenre } from "../../../lib/data/conditions/genres";
import { readMovieLens } from "../../../lib/data/movielens/movielens";
import { preprocess } from "../../../lib/data/protocol/preprocess";
import type { MovieTable } from "../../../lib/data/schema";

const movies: MovieTable = {
  movieIds: Int32Array.from([1, 2, 3, 4]),
  titles: ["a", "b", "c", "d"],
  genres: [["Action", "IMAX", "Sci-Fi"], ["Action", "Drama"], ["Drama"], ["Adventure", "IMAX"]],
};

describe("moviesPerGenre(movies)", () => {
  it("counts movies per label, most common first, with shares of all movies", () => {
    assert.deepEqual(moviesPerGenre(movies).slice(0, 3), [
      { genre: "Action", count: 2, share: 0.5 },
      { genre: "Drama", count: 2, share: 0.5 },
      { genre: "IMAX", count: 2, share: 0.5 },
    ]);
  });
});

describe("imaxBreakdown(movies)", () => {
  it("lists the other genres of IMAX movies with shares of the IMAX movies", () => {
    assert.deepEqual(imaxBreakdown(movies), {
      label: "IMAX",
      movies: 2,
      genres: [
        { genre: "Action", count: 1, share: 0.5 },
        { genre: "Adventure", count: 1, share: 0.5 },
        { genre: "Sci-Fi", count: 1, share: 0.5 },
      ],
    });
  });
});

describe("genreCooccurrence(movies, genres)", () => {
  it("computes Jaccard = both / either, 1 on the diagonal and 0 for genres never together", () => {
    const co = genreCooccurrence(movies, ["Action", "Drama", "IMAX", "Adventure"]);
    assert.deepEqual(co.counts[0], [2, 1, 1, 0]);
    assert.equal(co.jaccard[0][1], 1 / 3); // Action & Drama: 1 both, 3 either
    assert.equal(co.jaccard[2][3], 1 / 2); // IMAX & Adventure
    assert.equal(co.jaccard[1][3], 0);
    co.jaccard.forEach((row, i) => assert.equal(row[i], 1));
  });
});

describe("genresPerUser(ds) and interactionsPerGenre(ds)", () => {
  const ds = preprocess(readMovieLens(join(__dirname, "..", "..", "fixtures", "ml-small")), "ml-small");
  it("counts distinct genres per training user and the Σ (c_u + 1) conditioned rows", () => {
    const cu = genresPerUser(ds);
    assert.equal(cu.users, ds.summary.trainUsers);
    assert.equal(
      cu.histogram.reduce((a, b) => a + b, 0),
      cu.users,
    );
    assert.equal(cu.conditionedRows, cu.perUser.reduce((a, b) => a + b, 0) + cu.users);
    assert.ok(cu.perUser.every((c) => c >= 1 && c <= ds.genres.length));
  });
  it("adds each positive interaction to every genre of its movie", () => {
    const per = interactionsPerGenre(ds);
    const total = per.reduce((a, g) => a + g.count, 0);
    const expected = ds.movies.genres.reduce((a, gs, row) => a + gs.length * ds.moviePositiveCounts[row], 0);
    assert.equal(total, expected);
    assert.equal(
      ds.moviePositiveCounts.reduce((a, b) => a + b, 0),
      ds.summary.filteredRatings,
    );
  });
});
