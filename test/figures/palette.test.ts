import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GENRE_COLORS, genreColor, methodColor, SERIES_COLORS } from "../../lib/figures/palette";

describe("genreColor(genre)", () => {
  it("gives each of the 20 ML-20M genre labels its own fixed colour", () => {
    const colors = Object.values(GENRE_COLORS);
    assert.equal(colors.length, 20);
    assert.equal(new Set(colors).size, 20);
    assert.equal(genreColor("Drama"), GENRE_COLORS.Drama);
  });
  it("gives an unknown label a stable colour", () => {
    assert.equal(genreColor("Space Opera"), genreColor("Space Opera"));
    assert.match(genreColor("Space Opera"), /^#[0-9a-f]{6}$/);
  });
});

describe("methodColor(method) and SERIES_COLORS", () => {
  it("colours the trained models as the model series, popularity as the baseline, anything else stably", () => {
    assert.equal(methodColor("C-VAE"), SERIES_COLORS.model);
    assert.equal(methodColor("Mult-VAE"), SERIES_COLORS.model);
    assert.equal(methodColor("popularity"), SERIES_COLORS.baseline);
    assert.equal(methodColor("EASE"), methodColor("EASE"));
    assert.match(methodColor("EASE"), /^#[0-9a-f]{6}$/);
  });
  it("keeps the series colours distinct from each other", () => {
    const colors = Object.values(SERIES_COLORS);
    assert.equal(new Set(colors).size, colors.length);
  });
});
