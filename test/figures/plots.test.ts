import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  barChart,
  emptyFigure,
  type Figure,
  groupedBars,
  heatmap,
  lineChart,
  NOTHING_TO_DRAW,
  scatterChart,
} from "../../lib/figures/plots";
import { binnedBars, genreBars } from "../../lib/figures/data";
import { methodComparison } from "../../lib/figures/training";
import { figureText } from "../../lib/notebook/display";

const XSS = "<img src=x onerror=alert(1)>";

describe("barChart(labels, values, options)", () => {
  it("returns one bar trace in the given order with escaped labels", () => {
    const fig = barChart(["Drama", XSS], [3, 1], { title: XSS });
    assert.equal(fig.data.length, 1);
    assert.deepEqual(fig.data[0].x, ["Drama", "&lt;img src=x onerror=alert(1)&gt;"]);
    assert.deepEqual(fig.data[0].y, [3, 1]);
    assert.equal((fig.layout?.title as { text: string }).text, "&lt;img src=x onerror=alert(1)&gt;");
  });
  it("rejects labels and values of different lengths", () => {
    assert.throws(() => barChart(["a"], [1, 2], { title: "t" }), /1 labels but 2 values/);
  });
});

describe("lineChart(series, options)", () => {
  it("returns one line trace per series", () => {
    const fig = lineChart(
      [
        { name: "a", x: [0, 1], y: [1, 2] },
        { name: "b", x: [0], y: [0], dash: "dash" },
      ],
      { title: "t", subtitle: "synthetic data" },
    );
    assert.equal(fig.data.length, 2);
    assert.equal((fig.data[1].line as { dash: string }).dash, "dash");
    assert.match((fig.layout?.title as { text: string }).text, /synthetic data/);
  });
});

describe("scatterChart(groups, options)", () => {
  it("returns one marker trace per group with escaped hover text", () => {
    const fig = scatterChart([{ name: "War", x: [1], y: [2], color: "#000", hover: [XSS] }], { title: "t" });
    assert.equal(fig.data[0].mode, "markers");
    assert.deepEqual(fig.data[0].text, ["&lt;img src=x onerror=alert(1)&gt;"]);
  });
});

describe("charts with nothing to draw", () => {
  const sentenceOf = (fig: Figure) => (fig.layout?.annotations as { text: string }[])[0].text;

  it("genreBars of no genres is the caller's sentence, centred, with no axes and no traces", () => {
    const fig = genreBars([], {
      value: "share",
      title: "Genres of IMAX movies",
      subtitle: "ML-100K",
      empty: "No IMAX movies in this data set.",
    });
    assert.deepEqual(fig.data, []);
    assert.equal(sentenceOf(fig), "No IMAX movies in this data set.");
    assert.deepEqual(
      [(fig.layout?.xaxis as { visible: boolean }).visible, (fig.layout?.yaxis as { visible: boolean }).visible],
      [false, false],
    );
    assert.match((fig.layout?.title as { text: string }).text, /^Genres of IMAX movies<br>/);
    assert.equal((fig.layout?.meta as { empty: string }).empty, "No IMAX movies in this data set.");
  });

  it("every chart builder shows a sentence (the default one unless given) instead of an empty axis", () => {
    const empties: [string, Figure][] = [
      ["barChart", barChart([], [], { title: "t" })],
      ["lineChart", lineChart([{ name: "a", x: [], y: [] }], { title: "t" })],
      ["scatterChart", scatterChart([], { title: "t" })],
      ["heatmap", heatmap([], [], [], { title: "t" })],
      ["groupedBars", groupedBars([], [{ name: "a", values: [] }], { title: "t" })],
      ["methodComparison", methodComparison([])],
      ["binnedBars", binnedBars([], { title: "t", empty: "No users." })],
    ];
    for (const [name, fig] of empties) {
      assert.deepEqual(fig.data, [], name);
      assert.equal(sentenceOf(fig), name === "binnedBars" ? "No users." : NOTHING_TO_DRAW, name);
    }
    assert.equal(barChart(["a"], [1], { title: "t", empty: "never" }).data.length, 1, "a chart with data ignores `empty`");
  });

  it("escapes the sentence and says it in the figure's text form", () => {
    const fig = emptyFigure(`No ${XSS} here.`, { title: "t" });
    assert.equal(sentenceOf(fig), "No &lt;img src=x onerror=alert(1)&gt; here.");
    assert.equal(figureText(fig), `[figure: t] No ${XSS} here.`);
    assert.equal(figureText(barChart(["a"], [1], { title: "t" })), "[figure: t; 1 trace]");
  });
});
