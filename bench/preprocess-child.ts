// One preprocessing run in its own process (read, Liang protocol, save), for
// bench/preprocess.ts: prints one JSON line with timings, counts, checksums, peak RSS.
import { prepareDataset } from "../lib/data/datasets";
import { protocolCounts, splitChecksum } from "./checksum";

async function main(): Promise<void> {
  const [folder, name] = process.argv.slice(2);
  const result = await prepareDataset(folder, { name });
  const ds = result.dataset;
  console.log(
    JSON.stringify({
      seconds: result.seconds,
      counts: protocolCounts(ds),
      checksum: {
        valid: splitChecksum(ds.valid.userIds, ds.valid.heldOut, ds.itemMovieIds),
        test: splitChecksum(ds.test.userIds, ds.test.heldOut, ds.itemMovieIds),
        first_items: Array.from(ds.itemMovieIds.slice(0, 10)),
      },
      max_rss_mb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
