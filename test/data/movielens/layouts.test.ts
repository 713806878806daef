// Each real MovieLens layout, written from one synthetic source (test/helpers/movielens-formats),
// prepared as notebook 01 prepares a downloaded folder (prepareDataset on the folder). The whole
// study on every layout runs in `npm run test:full` (test/notebooks/formats.fulltest.ts).
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { type PrepareResult, prepareDataset } from "../../../lib/data/datasets";
import { imaxBreakdown } from "../../../lib/data/conditions/genres";
import { NO_GENRES } from "../../../lib/data/schema";
import { loadProcessed } from "../../../lib/data/store";
import { LAYOUTS, type Layout, writeLayout } from "../../helpers/movielens-formats";
import { tempDir } from "../../helpers/temp";

const prepared = new Map<Layout, PrepareResult>();

before(async () => {
  const root = tempDir("layouts-");
  process.env.CVAE_DATA_DIR = join(root, "data");
  for (const layout of LAYOUTS) prepared.set(layout, await prepareDataset(await writeLayout(join(root, layout), layout)));
});

const get = (layout: Layout): PrepareResult => prepared.get(layout) as PrepareResult;

describe("prepareDataset(folder) on a folder of each real MovieLens layout", () => {
  for (const layout of LAYOUTS) {
    it(`reads a ${layout} folder as real data named after the folder, and saves a set that loads back`, () => {
      const { dataset: ds, source } = get(layout);
      assert.equal(ds.name, layout);
      assert.equal(source.synthetic, false, "no ground truth: read as real data");
      assert.equal(ds.source.format, layout === "ml-1m" ? "dat" : layout === "ml-100k" ? "ml-100k" : "csv");
      const s = ds.summary;
      assert.equal(s.rawRatings, get("ml-latest-small").dataset.summary.rawRatings, "every layout holds the same ratings");
      assert.ok(s.rawRatings > 40_000, `${s.rawRatings} ratings`);
      assert.equal(s.trainUsers + 2 * s.heldoutPerSplit, s.users);
      assert.equal(s.heldoutPerSplit, Math.round(0.1 * s.users));
      assert.ok(s.items > 100 && s.conditions >= 15, `${s.items} items, ${s.conditions} genres`);
      assert.deepEqual(loadProcessed(layout).summary, s);
    });
  }

  it("decodes the accented title of the Latin-1 layouts (ML-1M, ML-100K) as the CSV layouts give it", () => {
    for (const layout of LAYOUTS) {
      const { titles } = get(layout).dataset.movies;
      assert.ok(titles.includes("Amélie (2001)"), `${layout}: ${titles.find((t) => t.includes("lie (2001)"))}`);
    }
  });

  it("keeps the same users and items on ml-latest-small and ML-20M (the same CSV files)", () => {
    const a = get("ml-latest-small").dataset;
    const b = get("ml-20m").dataset;
    assert.deepEqual(
      [a.summary.users, a.summary.items, a.summary.trainInteractions],
      [b.summary.users, b.summary.items, b.summary.trainInteractions],
    );
    assert.deepEqual(a.train.userIds, b.train.userIds);
  });

  it("has IMAX movies on the CSV layouts and none on ML-1M and ML-100K (their releases have no IMAX label)", () => {
    assert.ok(imaxBreakdown(get("ml-latest-small").dataset.movies).movies > 0);
    assert.ok(imaxBreakdown(get("ml-20m").dataset.movies).movies > 0);
    assert.equal(imaxBreakdown(get("ml-1m").dataset.movies).movies, 0);
    assert.equal(imaxBreakdown(get("ml-100k").dataset.movies).movies, 0);
  });

  it('has no "(no genres listed)" condition on ML-1M (so claim b is not applicable there), and one on the CSV layouts', () => {
    assert.ok(!get("ml-1m").dataset.conditions.labels.includes(NO_GENRES));
    assert.ok(get("ml-20m").dataset.conditions.labels.includes(NO_GENRES));
  });
});
