import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { contextOf, LocalClock } from "../../../lib/data/conditions/conditions";
import { contextProbabilities, moviePosition, plantedContexts, timestampIn } from "../../../lib/data/synthetic/planted-contexts";
import { PLANTED_POSITIONS } from "../../../lib/data/synthetic/planted";
import { Rng } from "../../../lib/core/rng";

describe("the planted context effect", () => {
  it("gives each movie a distribution over dayparts and week parts (sums to 1, every context possible)", () => {
    for (const genres of [["Children"], ["Drama", "Crime"], ["(no genres listed)"], ["Action", "Sci-Fi", "IMAX"]]) {
      for (const kind of ["daypart", "weekday"] as const) {
        const p = contextProbabilities(moviePosition(genres), kind);
        assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12, `${genres} ${kind}`);
        assert.ok(p.every((x) => x > 0));
      }
    }
  });

  it("pulls family films to the morning and the weekend, noir and crime to the evening and weekdays", () => {
    const truth = plantedContexts();
    const lift = (kind: "daypart" | "weekday", label: string, genre: string) => truth[kind].lift[truth[kind].labels.indexOf(label)][genre];
    assert.ok(lift("daypart", "morning", "Children") > 2);
    assert.ok(lift("daypart", "evening", "Children") < 0.5);
    assert.ok(lift("daypart", "evening", "Crime") > 1.5);
    assert.ok(lift("daypart", "night", "Horror") > 2);
    assert.ok(lift("weekday", "weekend", "Animation") > 1);
    assert.ok(lift("weekday", "weekday", "Film-Noir") > 1);
    // A movie's position is the mean of its genres' positions.
    assert.deepEqual(
      moviePosition(["Comedy", "Romance"]),
      PLANTED_POSITIONS.Comedy.map((x, d) => (x + PLANTED_POSITIONS.Romance[d]) / 2),
    );
  });

  it("writes distances between the contexts' positions: symmetric, zero on the diagonal", () => {
    for (const kind of ["daypart", "weekday"] as const) {
      const d = plantedContexts()[kind].distances;
      d.forEach((row, i) => row.forEach((v, j) => assert.equal(v, d[j][i])));
      d.forEach((row, i) => assert.equal(row[i], 0));
    }
  });

  it("timestampIn(around, daypart, weekPart) lands in the asked daypart and week part, within a week after `around`", () => {
    const rng = new Rng(4);
    const clock = new LocalClock(null);
    for (let n = 0; n < 500; n++) {
      const around = 900_000_000 + rng.integer(300_000_000);
      const daypart = rng.integer(4);
      const weekPart = rng.integer(2);
      const t = timestampIn(around, daypart, weekPart, () => rng.random());
      assert.equal(contextOf("daypart", clock, t), daypart);
      assert.equal(contextOf("weekday", clock, t), weekPart);
      assert.ok(t >= Math.floor(around / 86400) * 86400 && t < around + 8 * 86400);
    }
  });
});
