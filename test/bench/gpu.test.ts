// `npm run bench -- gpu`: its flags, and its hardware path run on whatever adapter this machine
// has (--as-hardware; llvmpipe in CI), small enough to take seconds. Timings here mean nothing:
// the test checks that each part runs, reports what it says, and compares against the CPU.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { benchGpu, parseGpuArgs } from "../../bench/gpu";
import { probeAdapter } from "../../lib/model/webgpu/device";
import { withEnv } from "../helpers/env";
import { tempDir } from "../helpers/temp";

describe("parseGpuArgs(args)", () => {
  it("gives the full sizes by default and the quick ones with --quick", () => {
    assert.deepEqual(parseGpuArgs([]).sizes, [8000, 20000, 26744]);
    assert.deepEqual(parseGpuArgs(["--quick"]).sizes, [20000]);
    assert.equal(parseGpuArgs(["--quick"]).epochData, "synthetic");
  });

  it("sets each option its flag names", () => {
    const o = parseGpuArgs(
      ["--sizes", "10,20", "--repeats", "3", "--steps", "4", "--epoch-data", "synthetic-tiny", "--epoch-cap", "5"].concat(
        ["--torch-cap", "6", "--no-epoch", "--no-torch", "--no-scoring", "--latent-users", "7", "--eval-users", "8"],
        ["--json", "out.json", "--as-hardware"],
      ),
    );
    assert.deepEqual(
      [o.sizes, o.repeats, o.steps, o.epochData, o.epochCap, o.torchCap, o.epoch, o.torch, o.scoring, o.latentUsers, o.evalUsers],
      [[10, 20], 3, 4, "synthetic-tiny", 5, 6, false, false, false, 7, 8],
    );
    assert.equal(o.json, "out.json");
    assert.equal(o.asHardware, true);
  });

  it("refuses unknown flags, malformed numbers and a missing file name, with the usage", () => {
    for (const args of [["--fast"], ["--sizes", "10,x"], ["--repeats", "0"], ["--epoch-data", "ml-20m"], ["--json"], ["--steps"]])
      assert.throws(() => parseGpuArgs(args), /^Error: bench gpu: .*\nusage: bench gpu/s, args.join(" "));
  });
});

describe("the GPU bench's hardware path on this machine's adapter (--as-hardware)", async () => {
  const probe = await probeAdapter();
  const offered = probe.ok && probe.info.subgroups;
  for (const setting of ["auto", "off"] as const) {
    const kernels = setting === "auto" && offered ? "subgroups, then without" : "no subgroups";
    it(
      `times the step (CVAE_WEBGPU_SUBGROUPS=${setting}: ${kernels}) and writes its report`,
      { skip: probe.ok ? false : `no WebGPU adapter here: ${probe.reason}` },
      async () => {
        const json = join(tempDir("bench-gpu-"), "report.json");
        const args = ["--as-hardware", "--sizes", "40", "--repeats", "1", "--steps", "1", "--no-epoch", "--no-torch", "--no-scoring"];
        const lines: string[] = [];
        const log = console.log;
        console.log = (...parts: unknown[]) => void lines.push(parts.join(" "));
        try {
          await withEnv("CVAE_WEBGPU_SUBGROUPS", setting, () => benchGpu([...args, "--json", json]));
        } finally {
          console.log = log;
        }
        const report = JSON.parse(readFileSync(json, "utf8"));
        assert.equal(report.smoke.ok, true, "the step matches the CPU's");
        assert.deepEqual(
          report.steps.map((s: { m: number }) => s.m),
          [40],
        );
        assert.ok(report.steps[0].medianMs > 0 && report.steps[0].gpuBytes > 0);
        assert.equal(report.steps[0].subgroups, setting === "auto" && offered, "the kernel the user's setting asks for");
        assert.equal(report.torch, null);
        assert.equal(report.epoch, undefined, "--no-epoch");
        assert.equal(report.scoring, undefined, "--no-scoring");
        if (setting === "auto" && offered) {
          assert.deepEqual([report.withoutSubgroups.m, report.withoutSubgroups.subgroups], [40, false]);
          assert.ok(lines.some((l) => /m=40 without subgroups \(CVAE_WEBGPU_SUBGROUPS=off\): .* per step/.test(l)));
        } else assert.equal(report.withoutSubgroups, undefined);
        if (offered)
          assert.ok(lines.some((l) => l.includes(setting === "off" ? "subgroups offered, off" : "subgroups offered (the softmax")));
        if (probe.ok && probe.info.software) {
          assert.ok(lines.some((l) => l.startsWith("only a software adapter, but --as-hardware")));
          assert.ok(!lines.some((l) => /^\s*ratio |with \/ without/.test(l)), "no ratio from a software adapter");
        }
      },
    );
  }
});
