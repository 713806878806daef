import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GENRE_COLORS, genreColor } from "../../lib/figures/palette";

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
