import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { imaxGenreBars } from "../../lib/figures/data";

const empty = (fig: ReturnType<typeof imaxGenreBars>) => (fig.layout?.meta as { empty?: string } | undefined)?.empty;

describe("imaxGenreBars(imax, options)", () => {
  it("draws the IMAX movies' other genres as shares", () => {
    const fig = imaxGenreBars(
      { label: "IMAX", movies: 4, genres: [{ genre: "Action", count: 3, share: 0.75 }] },
      { title: "Genres of IMAX movies" },
    );
    assert.equal(empty(fig), undefined);
    assert.deepEqual((fig.data[0] as { y: number[] }).y, [0.75]);
  });

  it("says in a sentence that a data set has no IMAX movies (ML-100K), or that its IMAX movies have no other genre", () => {
    const none = imaxGenreBars({ label: "IMAX", movies: 0, genres: [] }, { title: "t" });
    assert.equal(empty(none), "No IMAX movies in this data set, so there is no breakdown to show.");
    const alone = imaxGenreBars({ label: "IMAX", movies: 2, genres: [] }, { title: "t" });
    assert.equal(empty(alone), "The 2 IMAX movies here have no other genre.");
  });
});
