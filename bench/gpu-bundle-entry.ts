// The entry of the one-file bundle scripts/gpu-bundle.sh builds for a GPU machine without Node:
// `node bench.js gpu [options]` runs `npm run bench -- gpu [options]` (bench/gpu.ts) alone.
import { benchGpu } from "./gpu";

async function main(argv: string[]): Promise<number> {
  const args = argv[0] === "gpu" ? argv.slice(1) : argv;
  try {
    await benchGpu(args);
    return 0;
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
