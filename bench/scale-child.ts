// One sampler of `npm run bench -- scale` in its own process (so each peak RSS is its own):
// trains a fixed number of batches of a real run on the data set, then times one validation
// pass and prints one JSON line (batch times, batches per epoch, checkpoint save, peak RSS).
import { rmSync } from "node:fs";
import { evaluate } from "../lib/evaluation/evaluate";
import { modelDir } from "../lib/model/checkpoint";
import { GradientEngine } from "../lib/model/engine";
import { loadProcessed } from "../lib/data/store";
import { makeTrainConfig, type Sampler } from "../lib/train/config";
import { train } from "../lib/train/loop";

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function main(): Promise<void> {
  const [dataset, sampler, batchesArg] = process.argv.slice(2);
  const batches = Number(batchesArg);
  const t0 = performance.now();
  const ds = loadProcessed(dataset);
  const loadSeconds = (performance.now() - t0) / 1000;
  const run = `bench-scale-${sampler}`;
  const config = makeTrainConfig({ dataset, run, sampler: sampler as Sampler, epochs: 1, patience: 0, seed: 1 });
  const batchMs: number[] = [];
  let batchesPerEpoch = 0;
  let last = 0;
  const started = performance.now();
  const result = await train(config, {
    dataset: ds,
    resume: "never",
    handleSignals: false,
    shouldStop: () => batchMs.length >= batches,
    callbacks: {
      onBatch(p) {
        const now = performance.now();
        batchMs.push(now - (last || started));
        last = now;
        batchesPerEpoch = p.batches;
      },
    },
  });
  // From the last batch to the return: the interrupt's checkpoint save and closing the workers.
  const saveSeconds = (performance.now() - last) / 1000;
  const trainRssMb = peakRssMb();
  const v0 = performance.now();
  // What every epoch's validation costs (both protocols, as closeEpoch runs it; scored by the model here).
  const engine = await GradientEngine.create(result.model.layout, result.threads, result.backend.name);
  engine.buffers.params.set(result.model.params);
  await evaluate(ds, "valid", (batch, k) => engine.rank(batch, k), { conditioned: true });
  await engine.close();
  const validSeconds = (performance.now() - v0) / 1000;
  rmSync(modelDir(run), { recursive: true, force: true });
  console.log(
    JSON.stringify({
      sampler,
      backend: result.backend.name,
      threads: result.threads,
      batchSize: config.batchSize,
      items: ds.summary.items,
      batchesPerEpoch,
      batchMs,
      loadSeconds,
      saveSeconds,
      validSeconds,
      trainRssMb,
      peakRssMb: peakRssMb(),
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
