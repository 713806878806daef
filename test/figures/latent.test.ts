import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { latent3d, latentScatter, pcPairExplorer, projection, scatterMatrix } from "../../lib/figures/latent";
import { type LatentSet, NO_CONDITION } from "../../lib/analysis/latent";
import { genreColor, NO_CONDITION_COLOR } from "../../lib/figures/palette";
import { LatentPca } from "../../lib/analysis/pca";
import { Rng } from "../../lib/core/rng";
import { boxesOverlap, labelSize } from "../../lib/figures/labels";
import { ML20M_GENRES } from "../../lib/data/schema";
import { crowdedSet } from "../helpers/crowded-latents";

// A hand-built LatentSet: 4 users x (1 + 4 conditions) rows in 5 dims, seeded normal values
// (genre k shifted by k on dim k so the conditions differ). Figures are pure specs: no browser.
const NEUTRAL = "(no genres listed)";
const GENRES = [NEUTRAL, "Action", "Drama", "Sci-Fi"];
const U = 4;
const L = 5;

function handSet(): LatentSet {
  const rows = U * (GENRES.length + 1);
  const rng = new Rng(8);
  const z = new Float32Array(rows * L);
  const userOf = new Int32Array(rows);
  const condition = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    userOf[r] = r % U;
    condition[r] = Math.floor(r / U) - 1;
    for (let j = 0; j < L; j++) z[r * L + j] = rng.normal() + (condition[r] === j ? condition[r] + 1 : 0);
  }
  return {
    userRows: Int32Array.from([3, 1, 4, 0]),
    userIds: Int32Array.from([501, 502, 503, 504]),
    userOf,
    condition,
    conditions: GENRES,
    z,
    dims: L,
    rows,
  };
}

const set = handSet();
const pca = LatentPca.fit(set.z, L, { components: 5 });
const proj = projection(pca, set);
const round = (x: number) => Math.round(x * 1000) / 1000;
type Trace = Record<string, unknown> & { name: string; x: number[]; y: number[] };
const traces = (fig: { data: Record<string, unknown>[] }) => fig.data as Trace[];
const rowsOf = (label: string) =>
  Array.from({ length: set.rows }, (_, r) => r).filter((r) => (set.condition[r] < 0 ? NO_CONDITION : GENRES[set.condition[r]]) === label);

describe("projection(pca, set)", () => {
  it("projection's scores equal pca.transform(set.z), with the PCA's components and explained variance", () => {
    assert.deepEqual(proj.scores, pca.transform(set.z));
    assert.equal(proj.components, 5);
    assert.deepEqual(proj.explained, pca.explained);
  });
});

describe("latentScatter(set, projection, pcX, pcY, options)", () => {
  const fig = latentScatter(set, proj, 2, 5, { title: "t" });

  it("latentScatter has one trace per condition (no condition first) and a centroid trace last", () => {
    assert.deepEqual(
      traces(fig).map((t) => t.name),
      [NO_CONDITION, ...GENRES, "centroids"],
    );
  });

  it("latentScatter escapes genre labels in trace names and centroid labels", () => {
    const odd = { ...set, conditions: [NEUTRAL, "<b>Action</b>", "Drama", "Sci-Fi"] };
    const f = latentScatter(odd, proj, 1, 2, { title: "t" });
    assert.equal(traces(f)[2].name, "&lt;b&gt;Action&lt;/b&gt;");
    assert.ok((traces(f)[5].text as string[]).includes("&lt;b&gt;Action&lt;/b&gt;"));
    assert.ok(JSON.stringify(f).indexOf("<b>Action") < 0);
  });

  it("latentScatter draws unconditioned users in black and each genre in its palette colour", () => {
    const colour = (t: Trace) => (t.marker as { color: string }).color;
    assert.equal(colour(traces(fig)[0]), NO_CONDITION_COLOR);
    assert.equal(NO_CONDITION_COLOR, "#000000");
    GENRES.forEach((g, k) => assert.equal(colour(traces(fig)[k + 1]), genreColor(g), g));
    const centroids = traces(fig)[GENRES.length + 1];
    assert.deepEqual((centroids.marker as { color: string[] }).color, [NO_CONDITION_COLOR, ...GENRES.map(genreColor)]);
  });

  it("latentScatter's points are the scores on PCx and PCy (rounded to 3 decimals), per condition", () => {
    for (const t of traces(fig).slice(0, -1)) {
      const rows = rowsOf(t.name);
      assert.deepEqual(
        t.x,
        rows.map((r) => round(proj.scores[r * 5 + 1])),
        t.name,
      );
      assert.deepEqual(
        t.y,
        rows.map((r) => round(proj.scores[r * 5 + 4])),
        t.name,
      );
    }
  });

  it("latentScatter's centroids are the mean scores of every row of each condition, even those not drawn", () => {
    // unconditioned and the neutral genre's first two users
    const drawn = latentScatter(set, proj, 1, 2, { title: "t", rows: [0, 1, 4, 5] });
    assert.deepEqual(
      traces(drawn).map((t) => t.name),
      [NO_CONDITION, NEUTRAL, "centroids"],
    );
    const c = traces(drawn)[2];
    assert.equal(c.x.length, GENRES.length + 1);
    const mean = (label: string, pc: number) => rowsOf(label).reduce((s, r) => s + proj.scores[r * 5 + pc - 1], 0) / U;
    [NO_CONDITION, ...GENRES].forEach((label, k) => {
      assert.ok(Math.abs(c.x[k] - mean(label, 1)) < 1e-12, label);
      assert.ok(Math.abs(c.y[k] - mean(label, 2)) < 1e-12, label);
    });
  });

  it("latentScatter leaves excluded conditions out of the traces and the centroids", () => {
    const f = latentScatter(set, proj, 1, 2, { title: "t", exclude: [NEUTRAL, NO_CONDITION] });
    assert.deepEqual(
      traces(f).map((t) => t.name),
      ["Action", "Drama", "Sci-Fi", "centroids"],
    );
    assert.deepEqual(traces(f)[3].text, ["Action", "Drama", "Sci-Fi"]);
  });

  it("latentScatter's hover text names the user, the condition and the user's genres, escaped", () => {
    const userGenres = [["<img src=x onerror=alert(1)>", "Drama"], ["Action"], [], ["Comedy"]];
    const f = latentScatter(set, proj, 1, 2, { title: "t", userGenres });
    const text = traces(f)[0].text as string[];
    assert.equal(text[0], "user 501 · no condition · watches &lt;img src=x onerror=alert(1)&gt;, Drama");
    assert.equal(text[1], "user 502 · no condition · watches Action");
    const all = traces(f).flatMap((t) => (Array.isArray(t.text) ? (t.text as string[]) : []));
    assert.ok(all.some((s) => s.includes("&lt;img")));
    assert.ok(all.every((s) => !s.includes("<img")));
    // Without userGenres the text has no "watches".
    assert.equal((traces(fig)[1].text as string[])[0], `user 501 · ${NEUTRAL}`);
  });

  it("latentScatter rejects a component outside 1..components instead of plotting other rows' scores", () => {
    const two = {
      scores: LatentPca.fit(set.z, L, { components: 2 }).transform(set.z),
      components: 2,
      explained: pca.explained.slice(0, 2),
    };
    assert.throws(() => latentScatter(set, two, 3, 4, { title: "t" }), RangeError);
    assert.throws(() => latentScatter(set, two, 0, 1, { title: "t" }), RangeError);
  });

  it("latentScatter's axis titles carry the explained variance of their components", () => {
    const layout = fig.layout as { xaxis: { title: { text: string } }; yaxis: { title: { text: string } } };
    assert.equal(layout.xaxis.title.text, `PC2 (${(100 * pca.explained[1]).toFixed(1)} % of variance)`);
    assert.equal(layout.yaxis.title.text, `PC5 (${(100 * pca.explained[4]).toFixed(1)} % of variance)`);
    assert.match(layout.xaxis.title.text, /^PC2 \(\d+\.\d % of variance\)$/);
  });
});

describe("pcPairExplorer(set, projection, options)", () => {
  const fig = pcPairExplorer(set, proj, { title: "t" });
  type Button = { label: string; args: [{ x: unknown[]; y: unknown[] }, Record<string, string>] };
  const buttons = (fig.layout as { updatemenus: { buttons: Button[] }[] }).updatemenus[0].buttons;

  it("pcPairExplorer has 10 dropdown buttons for 5 components, one per pair, PC1 x PC2 first", () => {
    assert.equal(buttons.length, 10);
    assert.deepEqual(
      buttons.map((b) => b.label),
      ["PC1 × PC2", "PC1 × PC3", "PC1 × PC4", "PC1 × PC5", "PC2 × PC3"].concat([
        "PC2 × PC4",
        "PC2 × PC5",
        "PC3 × PC4",
        "PC3 × PC5",
        "PC4 × PC5",
      ]),
    );
  });

  it("each pcPairExplorer button gives one x and one y array per trace, and the axis titles of its pair", () => {
    for (const b of buttons) {
      assert.equal(b.args[0].x.length, fig.data.length, b.label);
      assert.equal(b.args[0].y.length, fig.data.length, b.label);
    }
    const pc25 = buttons[6];
    const want = latentScatter(set, proj, 2, 5, { title: "t" });
    assert.deepEqual(
      pc25.args[0].x,
      want.data.map((t) => t.x),
    );
    assert.deepEqual(
      pc25.args[0].y,
      want.data.map((t) => t.y),
    );
    assert.equal(pc25.args[1]["xaxis.title.text"], `PC2 (${(100 * pca.explained[1]).toFixed(1)} % of variance)`);
    assert.equal(pc25.args[1]["yaxis.title.text"], `PC5 (${(100 * pca.explained[4]).toFixed(1)} % of variance)`);
  });

  it("pcPairExplorer of a 1-component projection throws a RangeError naming the component count", () => {
    const one = {
      scores: LatentPca.fit(set.z, L, { components: 1 }).transform(set.z),
      components: 1,
      explained: pca.explained.slice(0, 1),
    };
    assert.throws(
      () => pcPairExplorer(set, one, { title: "t" }),
      (e: Error) => e instanceof RangeError && /1/.test(e.message),
    );
  });

  it("pcPairExplorer starts on PC1 x PC2", () => {
    assert.deepEqual(
      fig.data.map((t) => t.x),
      buttons[0].args[0].x,
    );
  });
});

describe("scatterMatrix(set, projection, options)", () => {
  const fig = scatterMatrix(set, proj, { title: "t" });
  const layout = fig.layout as Record<string, { domain: [number, number]; anchor: string } | undefined>;
  const names = Array.from({ length: 10 }, (_, k) => (k === 0 ? "" : String(k + 1)));

  it("scatterMatrix of 5 components has 10 panels: axes xaxis..xaxis10 and yaxis..yaxis10", () => {
    for (const n of names) {
      assert.ok(layout[`xaxis${n}`], `xaxis${n}`);
      assert.ok(layout[`yaxis${n}`], `yaxis${n}`);
      assert.equal(layout[`xaxis${n}`]?.anchor, `y${n}`);
      assert.equal(layout[`yaxis${n}`]?.anchor, `x${n}`);
    }
    assert.equal(layout.xaxis11, undefined);
    assert.equal(fig.data.length, 10 * (GENRES.length + 1));
    const used = new Set(fig.data.map((t) => `${t.xaxis as string}/${t.yaxis as string}`));
    assert.deepEqual(
      [...used],
      names.map((n) => `x${n}/y${n}`),
    );
  });

  it("scatterMatrix's panel domains lie inside [0, 1] and no two panels overlap", () => {
    const boxes = names.map((n) => ({
      x: (layout[`xaxis${n}`] as { domain: [number, number] }).domain,
      y: (layout[`yaxis${n}`] as { domain: [number, number] }).domain,
    }));
    for (const b of boxes) for (const [lo, hi] of [b.x, b.y]) assert.ok(lo >= 0 && hi <= 1 && lo < hi, `${lo}..${hi}`);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const apartX = boxes[i].x[1] <= boxes[j].x[0] || boxes[j].x[1] <= boxes[i].x[0];
        const apartY = boxes[i].y[1] <= boxes[j].y[0] || boxes[j].y[1] <= boxes[i].y[0];
        assert.ok(apartX || apartY, `panels ${i + 1} and ${j + 1} overlap`);
      }
    }
  });

  it("scatterMatrix shows each condition once in the legend, grouped with its other panels", () => {
    const shown = fig.data.filter((t) => t.showlegend === true).map((t) => t.name);
    assert.deepEqual(shown, [NO_CONDITION, ...GENRES]);
    for (const label of [NO_CONDITION, ...GENRES]) assert.equal(fig.data.filter((t) => t.legendgroup === label).length, 10, label);
  });

  it("scatterMatrix's panel (PCrow, PCcol) plots PCcol on x and PCrow on y", () => {
    // Panel 10 is the last of the bottom row: PC4 (x) against PC5 (y).
    const t = fig.data.find((d) => d.xaxis === "x10" && d.name === "Action") as Trace;
    const rows = rowsOf("Action");
    assert.deepEqual(
      t.x,
      rows.map((r) => round(proj.scores[r * 5 + 3])),
    );
    assert.deepEqual(
      t.y,
      rows.map((r) => round(proj.scores[r * 5 + 4])),
    );
  });

  it("scatterMatrix with n = 3 has 3 panels and leaves excluded conditions out", () => {
    const small = scatterMatrix(set, proj, { title: "t", n: 3, exclude: [NEUTRAL] });
    assert.equal(small.data.length, 3 * GENRES.length);
    assert.ok(small.data.every((t) => t.name !== NEUTRAL));
    assert.equal((small.layout as Record<string, unknown>).xaxis4, undefined);
  });
});

describe("latent3d(set, projection, options)", () => {
  it("latent3d draws every condition as a scatter3d trace of PC1, PC2 and PC3 with titled scene axes", () => {
    const fig = latent3d(set, proj, { title: "t" });
    assert.equal(fig.data.length, GENRES.length + 1);
    assert.ok(fig.data.every((t) => t.type === "scatter3d"));
    const t = fig.data[2] as Trace & { z: number[] };
    const rows = rowsOf("Action");
    assert.deepEqual(
      t.z,
      rows.map((r) => round(proj.scores[r * 5 + 2])),
    );
    const scene = (fig.layout as { scene: Record<string, { title: { text: string } }> }).scene;
    assert.equal(scene.zaxis.title.text, `PC3 (${(100 * pca.explained[2]).toFixed(1)} %)`);
  });
});

type Annotation = { x: number; y: number; ax: number; ay: number; text: string; xanchor: string };

/** Label boxes as drawn at plot-area width `width`: pixels from the spec's ranges, tails and text. */
function drawnBoxes(fig: { layout?: Record<string, unknown> }, width: number) {
  const layout = fig.layout as {
    height: number;
    margin: { t: number; b: number };
    xaxis: { range: [number, number] };
    yaxis: { range: [number, number] };
    annotations: Annotation[];
  };
  const h = layout.height - layout.margin.t - layout.margin.b;
  const [x0, x1] = layout.xaxis.range;
  const [y0, y1] = layout.yaxis.range;
  return layout.annotations.map((a) => {
    const tx = ((a.ax - x0) / (x1 - x0)) * width;
    const ty = (1 - (a.y - y0) / (y1 - y0)) * h + a.ay;
    const { width: w, height } = labelSize(a.text, 11);
    const [left, right] = a.xanchor === "left" ? [tx, tx + w] : [tx - w, tx];
    return { text: a.text, box: { x0: left, x1: right, y0: ty - height / 2, y1: ty + height / 2 }, h };
  });
}

describe("latentScatter's centroid labels (real-like: 20 conditions, close centroids)", () => {
  const crowded = crowdedSet(ML20M_GENRES, 150, 0.1);
  const cp = projection(LatentPca.fit(crowded.z, crowded.dims, { components: 5 }), crowded);
  const fig = latentScatter(crowded, cp, 2, 5, { title: "Figure 2", subtitle: "s", exclude: [NEUTRAL] });
  const layout = fig.layout as { annotations: Annotation[]; margin: Record<string, number>; xaxis: Record<string, unknown> };

  it("labels every centroid once, by an annotation pointing at it, not by text on the markers", () => {
    const c = traces(fig)[traces(fig).length - 1];
    assert.equal(c.mode, "markers");
    assert.equal(layout.annotations.length, 20);
    assert.deepEqual(
      layout.annotations.map((a) => [a.text, a.x, a.y]),
      (c.text as string[]).map((t, k) => [t, c.x[k], c.y[k]]),
    );
  });

  it("the centroids really are crowded: all within 6 % of the x range of each other", () => {
    const c = traces(fig)[traces(fig).length - 1];
    const range = layout.xaxis.range as [number, number];
    assert.ok((Math.max(...c.x) - Math.min(...c.x)) / (range[1] - range[0]) < 0.06);
  });

  it("no two label boxes overlap and all lie inside the plot, at plot widths from 480 to 1400 px", () => {
    for (const width of [480, 600, 900, 1400]) {
      const boxes = drawnBoxes(fig, width);
      for (let i = 0; i < boxes.length; i++) {
        const b = boxes[i].box;
        assert.ok(b.y0 >= -1e-9 && b.y1 <= boxes[i].h + 1e-9 && b.x0 >= 0 && b.x1 <= width, `${width}px: ${boxes[i].text} inside`);
        for (let j = i + 1; j < boxes.length; j++)
          assert.ok(!boxesOverlap(b, boxes[j].box), `${width}px: ${boxes[i].text} / ${boxes[j].text}`);
      }
    }
  });

  it("fixes the axis ranges and margins the labels were placed for (no automargin)", () => {
    assert.equal(layout.xaxis.automargin, false);
    assert.equal((fig.layout as { yaxis: { automargin: boolean } }).yaxis.automargin, false);
    assert.deepEqual(layout.margin, { l: 72, r: 24, b: 64, t: 76 });
    for (const t of traces(fig)) {
      const range = layout.xaxis.range as [number, number];
      for (const x of t.x) assert.ok(x >= range[0] && x <= range[1]);
    }
  });

  it("3 well separated conditions keep their labels beside their centroids, at the same height", () => {
    const three = crowdedSet(["Action", "Drama", "Comedy"], 100, 1.5);
    const f = latentScatter(three, projection(LatentPca.fit(three.z, three.dims, { components: 2 }), three), 1, 2, { title: "t" });
    const annotations = (f.layout as { annotations: Annotation[] }).annotations;
    assert.equal(annotations.length, 4);
    assert.ok(annotations.filter((a) => a.ay === 0).length >= 3, JSON.stringify(annotations.map((a) => a.ay)));
  });

  it("pcPairExplorer's buttons carry each pair's label annotations and axis ranges", () => {
    const ex = pcPairExplorer(crowded, cp, { title: "t", exclude: [NEUTRAL] });
    type Button = { args: [unknown, { annotations: Annotation[]; "xaxis.range": number[] }] };
    const buttons = (ex.layout as { updatemenus: { buttons: Button[] }[] }).updatemenus[0].buttons;
    const pc25 = latentScatter(crowded, cp, 2, 5, { title: "t", exclude: [NEUTRAL] }).layout as typeof layout;
    assert.deepEqual(buttons[6].args[1].annotations, pc25.annotations);
    assert.deepEqual(buttons[6].args[1]["xaxis.range"], pc25.xaxis.range);
    assert.notDeepEqual(buttons[0].args[1].annotations, pc25.annotations);
  });
});
