import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { moviesPerGenre, imaxBreakdown } from "../../../lib/data/conditions/genres";
import { readMovieLens } from "../../../lib/data/movielens/movielens";
import type { RawDataset } from "../../../lib/data/schema";
import { csvField, SYNTH_VERSION, type SynthSummary, writeSynthetic } from "../../../lib/data/synthetic/synth";
import { tempDir } from "../../helpers/temp";

const CONFIG = { users: 800, movies: 1500, ratings: 60_000, seed: 11, minUserRatings: 20 };

describe("writeSynthetic(folder, config)", () => {
  let dir: string;
  let summary: SynthSummary;
  let raw: RawDataset;
  before(async () => {
    dir = join(tempDir("synth-"), "s");
    summary = await writeSynthetic(dir, CONFIG);
    raw = readMovieLens(dir);
  });

  it("writes the ML-20M CSV layout that the MovieLens reader accepts, with the requested size", () => {
    assert.equal(readFileSync(join(dir, "ratings.csv"), "utf8").split("\n", 1)[0], "userId,movieId,rating,timestamp");
    assert.equal(readFileSync(join(dir, "movies.csv"), "utf8").split("\n", 1)[0], "movieId,title,genres");
    assert.equal(raw.format, "csv");
    assert.equal(raw.synthetic, true);
    assert.equal(raw.ratings.length, summary.ratings);
    assert.ok(Math.abs(summary.ratings - CONFIG.ratings) <= 0.001 * CONFIG.ratings, `${summary.ratings} ratings`);
    assert.equal(raw.movies.movieIds.length, CONFIG.movies);
    assert.equal(new Set(raw.ratings.userIds).size, CONFIG.users);
  });

  it("sorts ratings by user then movie, one rating per pair, on the half-star scale", () => {
    const { userIds, movieIds, ratings } = raw.ratings;
    for (let r = 1; r < raw.ratings.length; r++) {
      assert.ok(userIds[r] > userIds[r - 1] || (userIds[r] === userIds[r - 1] && movieIds[r] > movieIds[r - 1]), `row ${r} out of order`);
    }
    for (const v of ratings) assert.ok(v >= 0.5 && v <= 5 && Number.isInteger(v * 2));
  });

  it("puts roughly half of the ratings at 4 stars or more, as ML-20M does", () => {
    assert.ok(summary.positiveShare > 0.45 && summary.positiveShare < 0.55, `share ${summary.positiveShare}`);
  });

  it("has long-tailed activity: every user has at least 20 ratings and the busiest far more than the median", () => {
    const perUser = new Map<number, number>();
    for (const u of raw.ratings.userIds) perUser.set(u, (perUser.get(u) ?? 0) + 1);
    const counts = [...perUser.values()].sort((a, b) => a - b);
    assert.ok(counts[0] >= 20);
    assert.ok(counts[counts.length - 1] > 4 * counts[counts.length >> 1]);
  });

  it("follows ML-20M's genre frequencies: Drama and Comedy first; Film-Noir, IMAX and no-genre among the rarest", () => {
    const per = moviesPerGenre(raw.movies).map((g) => g.genre);
    assert.deepEqual(per.slice(0, 2), ["Drama", "Comedy"]);
    for (const rare of ["Film-Noir", "IMAX", "(no genres listed)"])
      assert.ok(per.indexOf(rare) >= per.length - 5, `${rare} at rank ${per.indexOf(rare)}`);
  });

  it("gives movies several genres, no-genre movies no other genre, and IMAX mostly to Action, Adventure or Sci-Fi", () => {
    const mean = raw.movies.genres.reduce((a, g) => a + g.length, 0) / raw.movies.genres.length;
    assert.ok(mean > 1.6 && mean < 2.4, `mean genres per movie ${mean}`);
    for (const gs of raw.movies.genres) if (gs.includes("(no genres listed)")) assert.deepEqual(gs, ["(no genres listed)"]);
    const imax = raw.movies.genres.filter((gs) => gs.includes("IMAX"));
    const spectacle = imax.filter((gs) => gs.some((g) => ["Action", "Adventure", "Sci-Fi"].includes(g)));
    assert.ok(imax.length >= 3 && spectacle.length / imax.length >= 0.7, `${spectacle.length}/${imax.length}`);
    const breakdown = imaxBreakdown(raw.movies).genres.map((g) => g.genre);
    for (const rare of ["War", "Western"]) assert.ok(!breakdown.slice(0, 3).includes(rare));
  });

  it("writes titles with commas and quotes that survive RFC 4180 quoting", () => {
    assert.ok(raw.movies.titles.some((t) => t.includes(", The (")));
    assert.ok(raw.movies.titles.some((t) => t.includes('"')));
    assert.match(readFileSync(join(dir, "movies.csv"), "utf8"), /^\d+,"""[A-Z][a-z]+"" [A-Z]/m);
  });

  it("writes the planted structure as ground truth and a README that says the data are synthetic", () => {
    const truth = JSON.parse(readFileSync(join(dir, "ground-truth.json"), "utf8"));
    assert.equal(truth.format, "cvae-lens/synthetic-ground-truth");
    assert.equal(truth.genres.length, 20);
    assert.deepEqual(truth.generator.config, CONFIG);
    assert.equal(truth.generator.version, SYNTH_VERSION);
    assert.match(readFileSync(join(dir, "README.txt"), "utf8"), /^SYNTHETIC DATA - not MovieLens/);
  });

  it("is deterministic: the same seed writes byte-identical files, another seed different ones", async () => {
    const again = join(tempDir("synth-"), "s");
    await writeSynthetic(again, CONFIG);
    const hash = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");
    assert.equal(hash(join(again, "ratings.csv")), hash(join(dir, "ratings.csv")));
    assert.equal(hash(join(again, "movies.csv")), hash(join(dir, "movies.csv")));
    const other = join(tempDir("synth-"), "s");
    await writeSynthetic(other, { ...CONFIG, seed: 12 });
    assert.notEqual(hash(join(other, "ratings.csv")), hash(join(dir, "ratings.csv")));
  });

  it("rejects unknown config keys and impossible sizes", async () => {
    await assert.rejects(writeSynthetic(join(tmpdir(), "never"), { userz: 5 } as never), /synthetic data config: unknown key "userz"/);
    await assert.rejects(writeSynthetic(join(tmpdir(), "never"), { users: 0 }), /users must be a positive integer/);
    await assert.rejects(
      writeSynthetic(join(tmpdir(), "never"), { movies: 10, minUserRatings: 20 }),
      /minUserRatings 20 exceeds movies 10/,
    );
  });
});

describe("csvField(value)", () => {
  it("quotes only fields that need it and doubles inner quotes", () => {
    assert.equal(csvField("Heat (1995)"), "Heat (1995)");
    assert.equal(csvField("American President, The (1995)"), '"American President, The (1995)"');
    assert.equal(csvField('"Great" Escape, The (1963)'), '"""Great"" Escape, The (1963)"');
  });
});
