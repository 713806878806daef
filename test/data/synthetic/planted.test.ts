import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { genreAffinity, genreDistance, groundTruth, loadGroundTruth, PLANTED_POSITIONS } from "../../../lib/data/synthetic/planted";
import { ML20M_GENRES } from "../../../lib/data/schema";
import { tempDir } from "../../helpers/temp";

const nearest = (g: string, k: number) =>
  ML20M_GENRES.filter((x) => x !== g)
    .sort((a, b) => genreDistance(g, a) - genreDistance(g, b))
    .slice(0, k);

describe("the planted genre structure", () => {
  it("places every ML-20M genre label", () => {
    assert.deepEqual(Object.keys(PLANTED_POSITIONS).sort(), [...ML20M_GENRES].sort());
  });
  it("puts War nearer Drama and Romance than Children and Animation (the paper's PC2/PC5 reading)", () => {
    for (const near of ["Drama", "Romance"])
      for (const far of ["Children", "Animation"]) assert.ok(genreDistance("War", near) < genreDistance("War", far));
  });
  it("puts Horror between Thriller and Sci-Fi and far from Western", () => {
    assert.ok(genreDistance("Horror", "Thriller") < genreDistance("Thriller", "Sci-Fi"));
    assert.ok(genreDistance("Horror", "Sci-Fi") < genreDistance("Thriller", "Sci-Fi"));
    assert.ok(genreDistance("Horror", "Western") > 1.5 * genreDistance("Horror", "Thriller"));
  });
  it("keeps Thriller, Mystery and Crime mutually closest", () => {
    for (const g of ["Thriller", "Mystery", "Crime"]) {
      const others = ["Thriller", "Mystery", "Crime"].filter((x) => x !== g);
      assert.ok(
        others.every((o) => nearest(g, 3).includes(o)),
        `${g}: ${nearest(g, 3)}`,
      );
    }
  });
  it("sets Film-Noir apart, its four nearest being Crime, Mystery, Thriller and Drama", () => {
    assert.deepEqual(nearest("Film-Noir", 4).sort(), ["Crime", "Drama", "Mystery", "Thriller"]);
    assert.ok(genreDistance("Film-Noir", nearest("Film-Noir", 1)[0]) > 2 * genreDistance("Thriller", "Crime"));
  });
  it("puts the neutral label far from every genre", () => {
    for (const g of ML20M_GENRES) if (g !== "(no genres listed)") assert.ok(genreDistance("(no genres listed)", g) >= 3);
  });
  it("derives an affinity of 1 on the diagonal, symmetric and in (0, 1]", () => {
    const truth = groundTruth();
    truth.affinity.forEach((row, i) =>
      row.forEach((a, j) => {
        assert.ok(a > 0 && a <= 1);
        assert.equal(a, truth.affinity[j][i]);
        if (i === j) assert.equal(a, 1);
      }),
    );
    assert.equal(genreAffinity("Drama", "Drama"), 1);
  });
});

describe("loadGroundTruth(folder)", () => {
  it("reads the ground truth written beside synthetic data, gives null without one, and names the file and field of a damaged one", () => {
    const dir = tempDir("truth-");
    assert.equal(loadGroundTruth(dir), null);
    writeFileSync(join(dir, "ground-truth.json"), JSON.stringify(groundTruth()));
    assert.deepEqual(loadGroundTruth(dir)?.genres, groundTruth().genres);
    writeFileSync(join(dir, "ground-truth.json"), JSON.stringify({ ...groundTruth(), distances: "far" }));
    assert.throws(() => loadGroundTruth(dir), /ground-truth\.json: distances must be an array, got "far"; regenerate it/);
    writeFileSync(join(dir, "ground-truth.json"), "{");
    assert.throws(() => loadGroundTruth(dir), /ground-truth\.json: not valid JSON/);
  });
});
