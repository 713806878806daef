import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import {
  FIGURE_META,
  figureBundle,
  figureHtml,
  figureSpecOf,
  KERNEL_NAME_ENV,
  LiveDisplay,
  loadPlotly,
  PLOTLY_LOADER_META,
  plotlyScript,
  plotlySources,
  plotlyVersion,
  show,
  showTable,
  type DisplayBundle,
} from "../../lib/notebook/display";
import type { Figure } from "../../lib/figures/plots";

// The kernel's display sink; tests install a recorder in its place.
const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: ((b: DisplayBundle, update: boolean) => void) | null };

function recordDisplays(): { bundles: DisplayBundle[]; updates: boolean[] } {
  const rec = { bundles: [] as DisplayBundle[], updates: [] as boolean[] };
  jupyter.lastWriteDisplayData = (b, update) => {
    rec.bundles.push(b);
    rec.updates.push(update);
  };
  return rec;
}

const fig: Figure = { data: [{ type: "scatter", x: [1, 2], y: [3, 4] }], layout: { title: { text: "t" } } };

afterEach(() => {
  jupyter.lastWriteDisplayData = null;
});

describe("figureBundle(fig)", () => {
  it("holds an HTML rendering and a text stand-in, marked as a figure, with the figure's data once", () => {
    const b = figureBundle({ data: [{ type: "scatter", x: [123.456789], y: [987.654321] }] });
    assert.deepEqual(Object.keys(b.data).sort(), ["text/html", "text/plain"]);
    assert.equal(b.metadata[FIGURE_META], true);
    assert.equal(JSON.stringify(b).split("123.456789").length - 1, 1, "the x value is stored once in the whole output");
    assert.equal(figureBundle(fig).data["text/plain"], "[figure: t; 1 trace]");
  });
});

describe("figureHtml(fig, id, sources)", () => {
  it("embeds data that cannot break out of the script element", () => {
    const html = figureHtml({ data: [{ type: "bar", x: ["</script><img src=x onerror=alert(1)>"], y: [1] }] }, "f1");
    assert.equal(html.match(/<\/script>/g)?.length, 2, "the spec's and the page script's own end tags only");
    assert.ok(!html.includes("<img"));
    assert.match(html, /id="f1"/);
  });
  it("stores a spec figureSpecOf reads back, with the default config", () => {
    const spec = figureSpecOf(figureHtml(fig, "f2"));
    assert.deepEqual(spec?.data, fig.data);
    assert.deepEqual(spec?.layout, fig.layout);
    assert.deepEqual(spec?.config, { responsive: true, displaylogo: false });
    assert.equal(figureSpecOf("<table></table>"), null);
  });
  it("tells the page where plotly.js may be found", () => {
    const html = figureHtml(fig, "f3", { kernel: "my-kernel", file: "plotly-x.min.js", relative: "../nm/plotly.min.js" });
    assert.match(html, /"kernel":"my-kernel","file":"plotly-x.min.js","relative":"..\/nm\/plotly.min.js"/);
  });
});

describe("plotlySources(cwd, env)", () => {
  it("gives the kernelspec name from the environment, the versioned copy and the path from the notebook folder", () => {
    const s = plotlySources(process.cwd(), { [KERNEL_NAME_ENV]: "tslab" });
    assert.equal(s.kernel, "tslab");
    assert.equal(s.file, `plotly-${plotlyVersion()}.min.js`);
    assert.equal(s.relative, "node_modules/plotly.js-dist-min/plotly.min.js");
    assert.equal(plotlySources(`${process.cwd()}/notebooks`, {}).relative, "../node_modules/plotly.js-dist-min/plotly.min.js");
    assert.equal(plotlySources(process.cwd(), {}).kernel, null);
  });
});

describe("show(fig) in a kernel", () => {
  it("sends one bundle per figure and no plotly.js", () => {
    const rec = recordDisplays();
    show(fig);
    show(fig);
    assert.equal(rec.bundles.length, 2);
    assert.ok(rec.bundles.every((b) => b.metadata[FIGURE_META] === true && !b.metadata[PLOTLY_LOADER_META]));
    assert.ok(rec.bundles.every((b) => String(b.data["text/html"]).length < 10_000));
  });
  it("prints a one-line stand-in outside a kernel", (t) => {
    const logs: string[] = [];
    t.mock.method(console, "log", (s: string) => logs.push(s));
    show(fig);
    assert.deepEqual(logs, ["[figure: t; 1 trace]"]);
  });
});

describe("loadPlotly()", () => {
  it("sends plotly.js on every call, then replaces that output with one line so saved notebooks stay small", () => {
    const rec = recordDisplays();
    loadPlotly();
    loadPlotly();
    assert.equal(rec.bundles.length, 4);
    for (const [load, line] of [rec.bundles.slice(0, 2), rec.bundles.slice(2, 4)]) {
      assert.match(String(load.data["text/html"]), /^<script>[\s\S]*window\.Plotly = Plotly[\s\S]*\.flush\(\);<\/script>$/);
      assert.equal(line.transient?.display_id, load.transient?.display_id);
      assert.equal(line.data["text/plain"], `plotly.js ${plotlyVersion()} loaded into this page`);
      assert.ok(JSON.stringify(line).length < 500);
      assert.equal(line.metadata[PLOTLY_LOADER_META], true);
    }
    assert.deepEqual(rec.updates, [false, true, false, true]);
    assert.notEqual(rec.bundles[0].transient?.display_id, rec.bundles[2].transient?.display_id);
  });
});

describe("showTable(columns, rows)", () => {
  it("sends an escaped HTML table with a text fallback", () => {
    const rec = recordDisplays();
    showTable(["title"], [["<img src=x onerror=alert(1)>"]]);
    const html = String(rec.bundles[0].data["text/html"]);
    assert.ok(!html.includes("<img"));
    assert.equal(rec.bundles[0].data["text/plain"], "title\n<img src=x onerror=alert(1)>");
  });
});

describe("LiveDisplay", () => {
  it("shows once, then updates the same display id in place", () => {
    const rec = recordDisplays();
    const live = new LiveDisplay();
    live.update({ text: "epoch 1" });
    live.update({ text: "epoch 2" });
    assert.equal(rec.bundles.length, 2);
    assert.equal(rec.bundles[0].transient?.display_id, rec.bundles[1].transient?.display_id);
    assert.deepEqual(rec.updates.slice(-2), [false, true]);
  });
});

describe("plotlyScript()", () => {
  it("is the plotly.js bundle with nothing that could end the inline script", () => {
    const src = plotlyScript();
    assert.ok(src.length > 1_000_000);
    assert.ok(!/<\/script/i.test(src));
    assert.match(src, /window\.Plotly = Plotly/);
  });
});
