import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GenreLift } from "../../lib/analysis/context-recovery";
import { contextDistanceScatter, liftHeatmaps } from "../../lib/figures/context";

const lift = (rows: number[][]): GenreLift => ({ labels: ["night", "evening"], genres: ["Drama", "Horror", "<b>x</b>"], lift: rows });

describe("liftHeatmaps(panels, options)", () => {
  const fig = liftHeatmaps(
    [
      {
        name: "planted",
        lift: lift([
          [1, 4, 0.5],
          [0.25, 1, NaN],
        ]),
      },
      {
        name: "model",
        lift: lift([
          [2, 8, 1],
          [1, 1, 1],
        ]),
      },
    ],
    { title: "Lift", subtitle: "synthetic" },
  );

  it("draws one heatmap per panel on its own axes, log2 of the lift clipped to +-2, a missing cell blank", () => {
    assert.equal(fig.data.length, 2);
    assert.deepEqual(fig.data[0].z, [
      [0, 2, -1],
      [-2, 0, null],
    ]);
    assert.deepEqual(fig.data[1].z, [
      [1, 2, 0],
      [0, 0, 0],
    ]);
    assert.deepEqual([fig.data[0].yaxis, fig.data[1].yaxis], ["y", "y2"]);
    assert.equal(fig.data[0].zmid, 0);
    assert.deepEqual([fig.data[0].showscale, fig.data[1].showscale], [true, false]);
  });

  it("escapes data-derived labels and shows the lift itself on hover", () => {
    assert.deepEqual(fig.data[0].x, ["Drama", "Horror", "&lt;b&gt;x&lt;/b&gt;"]);
    assert.deepEqual((fig.data[0].customdata as unknown[][])[1], [0.25, 1, null]);
  });

  it("refuses no panels and panels over other genres", () => {
    assert.throws(() => liftHeatmaps([], { title: "x" }), /no lift/);
    assert.throws(
      () =>
        liftHeatmaps(
          [
            {
              name: "a",
              lift: lift([
                [1, 1, 1],
                [1, 1, 1],
              ]),
            },
            { name: "b", lift: { ...lift([[1], [1]]), genres: ["Drama"] } },
          ],
          { title: "x" },
        ),
      /panel "b" has other genres/,
    );
  });
});

describe("contextDistanceScatter(pairs, options)", () => {
  it("puts each pair at (planted, latent), labelled, with room for the outer labels", () => {
    const fig = contextDistanceScatter(
      [
        { a: "night", b: "evening", latent: 2, planted: 1 },
        { a: "night", b: "morning", latent: 3, planted: 3 },
      ],
      { title: "t" },
    );
    assert.deepEqual(
      [fig.data[0].x, fig.data[0].y, fig.data[0].text],
      [
        [1, 3],
        [2, 3],
        ["night-evening", "night-morning"],
      ],
    );
    const range = (fig.layout?.xaxis as { range: number[] }).range;
    assert.ok(range[0] < 1 && range[1] > 3);
  });
});
