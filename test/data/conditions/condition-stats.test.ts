import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { conditionCooccurrence, conditionPopularity, conditionRows } from "../../../lib/data/conditions/condition-stats";
import { entryConditionsOf, rowConditions } from "../../../lib/data/conditions/conditions";
import { smallDataset } from "../../helpers/small-model";

const daypart = smallDataset({ conditions: "daypart" });

describe("conditionPopularity(ds) and conditionRows(ds)", () => {
  it("counts each context's training interactions; the counts add up to all of them", () => {
    const pop = conditionPopularity(daypart);
    assert.deepEqual(Object.keys(pop), ["night", "morning", "afternoon", "evening"]);
    assert.equal(
      Object.values(pop).reduce((a, b) => a + b, 0),
      daypart.summary.trainInteractions,
    );
    const e = entryConditionsOf(daypart, "train");
    const evening = e.scope === "interaction" ? e.contexts.filter((c) => c === 3).length : -1;
    assert.equal(pop.evening, evening);
    const rows = conditionRows(daypart);
    assert.ok(Math.abs(rows.reduce((a, r) => a + r.share, 0) - 1) < 1e-12);
    assert.ok(rows.every((r) => r.users > 0 && r.users <= daypart.summary.trainUsers));
  });

  it("counts a genre once per interaction of an item carrying it (shares exceed 1 in total: items have several genres)", () => {
    const genre = smallDataset();
    const pop = conditionPopularity(genre);
    const total = Object.values(pop).reduce((a, b) => a + b, 0);
    assert.equal(
      total,
      genre.train.matrix.indices.reduce((a, item) => a + genre.itemGenres.indptr[item + 1] - genre.itemGenres.indptr[item], 0),
    );
  });
});

describe("conditionCooccurrence(ds)", () => {
  it("counts training users having both conditions; the diagonal is users having one; Jaccard is 1 on the diagonal", () => {
    const co = conditionCooccurrence(daypart);
    const rows = rowConditions(daypart.train.matrix, entryConditionsOf(daypart, "train"));
    const has = (u: number, c: number) => rows.indices.subarray(rows.indptr[u], rows.indptr[u + 1]).includes(c);
    let both = 0;
    for (let u = 0; u < rows.rows; u++) if (has(u, 0) && has(u, 3)) both++;
    assert.equal(co.counts[0][3], both);
    assert.equal(co.counts[3][0], both);
    assert.ok(co.jaccard.every((row, i) => row[i] === 1));
    assert.ok(Math.abs(co.jaccard[0][3] - both / (co.counts[0][0] + co.counts[3][3] - both)) < 1e-12);
  });
});
