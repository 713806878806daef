import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  boxesOverlap,
  heightForLabels,
  type LabelAnchor,
  labelSize,
  type PlacedLabel,
  placeLabels,
  pointLabels,
} from "../../lib/figures/labels";
import { Rng } from "../../lib/core/rng";
import { ML20M_GENRES, NO_GENRES } from "../../lib/data/schema";

// The 19 MovieLens genres and the unconditioned row: the labels of Figure 2 on real data.
const NAMES = ["no condition", ...ML20M_GENRES.filter((g) => g !== NO_GENRES)];
const FRAME = { width: 600, height: 520 };
const STYLE = { fontSize: 11 };

/** `n` anchors scattered within `radius` pixels of (cx, cy): the clump of real-data centroids. */
function clump(seed: number, n: number, radius: number, cx = FRAME.width / 2, cy = FRAME.height / 2): LabelAnchor[] {
  const rng = new Rng(seed);
  return NAMES.slice(0, n).map((text) => ({ text, x: cx + radius * (2 * rng.random() - 1), y: cy + radius * (2 * rng.random() - 1) }));
}

function overlappingPairs(labels: readonly PlacedLabel[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < labels.length; i++)
    for (let j = i + 1; j < labels.length; j++)
      if (boxesOverlap(labels[i].box, labels[j].box)) out.push(`${labels[i].text} / ${labels[j].text}`);
  return out;
}

function assertInside(labels: readonly PlacedLabel[], frame: { width: number; height: number }): void {
  for (const l of labels) {
    assert.ok(l.box.y0 >= 0 && l.box.y1 <= frame.height, `${l.text} lies inside vertically: ${l.box.y0}..${l.box.y1}`);
    assert.ok(l.box.x0 >= 0 && l.box.x1 <= frame.width, `${l.text} lies inside horizontally: ${l.box.x0}..${l.box.x1}`);
  }
}

describe("placeLabels(anchors, frame, style)", () => {
  it("20 labels of centroids within 8 px of each other: no two boxes overlap, all inside the plot", () => {
    const { labels, overflow } = placeLabels(clump(1, 20, 8), FRAME, STYLE);
    assert.equal(labels.length, 20);
    assert.deepEqual(overlappingPairs(labels), []);
    assertInside(labels, FRAME);
    assert.deepEqual(overflow, { left: 0, right: 0 }, "a clump in the middle needs no wider range");
  });

  it("20 labels of one and the same point do not overlap either, 10 on each side", () => {
    const same = NAMES.map((text) => ({ text, x: 300, y: 260 }));
    const { labels } = placeLabels(same, FRAME, STYLE);
    assert.deepEqual(overlappingPairs(labels), []);
    assert.equal(labels.filter((l) => l.side === "left").length, 10);
  });

  it("never overlaps on 200 seeded random crowded layouts, clumps anywhere in the plot", () => {
    const rng = new Rng(7);
    for (let k = 0; k < 200; k++) {
      const n = 2 + Math.floor(rng.random() * 19);
      const anchors = clump(100 + k, n, 2 + 60 * rng.random(), FRAME.width * rng.random(), FRAME.height * rng.random());
      const { labels } = placeLabels(anchors, FRAME, STYLE);
      assert.deepEqual(overlappingPairs(labels), [], `layout ${k}`);
      for (const l of labels) assert.ok(l.box.y0 >= 0 && l.box.y1 <= FRAME.height, `layout ${k}: ${l.text} inside vertically`);
    }
  });

  it("left labels end left of their points and right labels start right of theirs, so the sides cannot meet", () => {
    const { labels } = placeLabels(clump(2, 20, 30), FRAME, STYLE);
    const left = labels.filter((l) => l.side === "left");
    const right = labels.filter((l) => l.side === "right");
    for (const l of left) assert.ok(l.box.x1 < l.anchor.x, l.text);
    for (const l of right) assert.ok(l.box.x0 > l.anchor.x, l.text);
    assert.ok(Math.max(...left.map((l) => l.box.x1)) < Math.min(...right.map((l) => l.box.x0)));
  });

  it("keeps the top-to-bottom order of the points on each side, so leader lines do not cross", () => {
    const { labels } = placeLabels(clump(3, 20, 20), FRAME, STYLE);
    for (const side of ["left", "right"]) {
      const mine = labels.filter((l) => l.side === side).sort((a, b) => a.anchor.y - b.anchor.y);
      for (let k = 1; k < mine.length; k++) assert.ok(mine[k].tail.y > mine[k - 1].tail.y, `${mine[k - 1].text} above ${mine[k].text}`);
    }
  });

  it("3 well separated points keep their labels at their own height, right beside them", () => {
    const anchors = [
      { text: "Comedy", x: 100, y: 150 },
      { text: "Action", x: 450, y: 160 },
      { text: "Drama", x: 320, y: 400 },
    ];
    const { labels } = placeLabels(anchors, FRAME, STYLE);
    for (const l of labels) {
      assert.equal(l.tail.y, l.anchor.y, l.text);
      assert.equal(Math.abs(l.tail.x - l.anchor.x), 12, l.text);
    }
    assert.deepEqual(
      labels.map((l) => l.side),
      ["left", "right", "right"],
    );
  });

  it("is deterministic and does not depend on the order of the anchors", () => {
    const anchors = clump(4, 20, 10);
    const a = placeLabels(anchors, FRAME, STYLE).labels;
    const b = placeLabels([...anchors].reverse(), FRAME, STYLE).labels.reverse();
    assert.deepEqual(a, b);
  });

  it("throws a RangeError when the plot is too low for its labels; heightForLabels gives enough", () => {
    const anchors = clump(5, 20, 5);
    assert.throws(() => placeLabels(anchors, { width: 600, height: 100 }, STYLE), RangeError);
    const height = heightForLabels(20, 11);
    assert.deepEqual(overlappingPairs(placeLabels(anchors, { width: 600, height }, STYLE).labels), []);
  });

  it("labelSize grows with the text, wider than a typical sans-serif glyph run", () => {
    assert.ok(labelSize("Documentary", 11).width > labelSize("War", 11).width);
    assert.ok(labelSize("Documentary", 11).width >= 11 * 0.55 * 11);
  });
});

describe("pointLabels(points, drawn, frame, style)", () => {
  it("widens the x range until labels of points at the plot's edges fit inside", () => {
    const points = NAMES.slice(0, 6).map((text, k) => ({ text, x: k % 2 === 0 ? 0 : 10, y: k, color: "#000000" }));
    const { xRange, placed, annotations } = pointLabels(points, { xs: [0, 10], ys: [0, 5] }, FRAME, STYLE);
    assert.ok(xRange[0] < 0 && xRange[1] > 10, `${xRange}`);
    assertInside(placed, FRAME);
    assert.deepEqual(overlappingPairs(placed), []);
    assert.equal(annotations.length, 6);
  });

  it("annotations point at the points, with tails where the placement put the labels", () => {
    const points = [
      { text: "<b>Action</b>", x: 1, y: 1, color: "#d62728" },
      { text: "Drama", x: 1.01, y: 1.01, color: "#1f77b4" },
    ];
    const { annotations, xRange, yRange, placed } = pointLabels(points, { xs: [-5, 5], ys: [-5, 5] }, FRAME, STYLE);
    annotations.forEach((a, i) => {
      assert.equal(a.x, points[i].x);
      assert.equal(a.y, points[i].y);
      assert.equal(a.axref, "x");
      assert.equal(a.ayref, "pixel");
      assert.ok(Math.abs((a.ax as number) - (xRange[0] + (placed[i].tail.x / FRAME.width) * (xRange[1] - xRange[0]))) < 1e-9);
      assert.equal(a.ay, placed[i].tail.y - placed[i].anchor.y);
      assert.equal(a.arrowcolor, points[i].color);
    });
    assert.equal(annotations[0].text, "&lt;b&gt;Action&lt;/b&gt;");
    assert.ok(yRange[0] < -5 && yRange[1] > 5);
  });
});
