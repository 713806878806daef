import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { barChart, lineChart, scatterChart } from "../../lib/figures/plots";

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
