// One preprocessing run in its own process (read, Liang protocol, save), for
// bench/preprocess.ts: prints one JSON line with timings, counts, checksums, peak RSS.
import { prepareDataset } from "../lib/datasets";
import { splitChecksum } from "./checksum";

async function main(): Promise<void> {
  const [folder, name] = process.argv.slice(2);
  const result = await prepareDataset(folder, { name });
  const ds = result.dataset;
  const s = ds.summary;
  console.log(
    JSON.stringify({
      seconds: result.seconds,
      counts: {
        raw_ratings: s.rawRatings,
        positive_ratings: s.positiveRatings,
        filtered_ratings: s.filteredRatings,
        users: s.users,
        heldout: s.heldoutPerSplit,
        train_users: s.trainUsers,
        items: s.items,
        train_interactions: s.trainInteractions,
        catalogue: s.catalogueMovies,
        valid_users: s.valid.users,
        test_users: s.test.users,
        valid_heldout: s.valid.heldOutInteractions,
        test_heldout: s.test.heldOutInteractions,
      },
      checksum: { valid: splitChecksum(ds.valid.userIds, ds.valid.heldOut, ds.itemMovieIds), test: splitChecksum(ds.test.userIds, ds.test.heldOut, ds.itemMovieIds), first_items: Array.from(ds.itemMovieIds.slice(0, 10)) },
      max_rss_mb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
