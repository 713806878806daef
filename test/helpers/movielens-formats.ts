// Small folders in each real MovieLens layout, made from one synthetic data set without its
// ground truth (so they read as real data): ml-latest-small and ML-20M/25M (CSV, with the
// extra files those releases ship), ML-1M (".dat" with "::", Latin-1, "Children's"; no
// IMAX, no "(no genres listed)") and ML-100K (u.data/u.item with genre flags, whole stars,
// Latin-1; no IMAX). Tests run the notebooks on them as a user would on a download.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeSynthetic } from "../../lib/data/synthetic/synth";

export type Layout = "ml-latest-small" | "ml-20m" | "ml-1m" | "ml-100k";
export const LAYOUTS: readonly Layout[] = ["ml-latest-small", "ml-20m", "ml-1m", "ml-100k"];

const ML100K_FLAGS = [
  "unknown",
  "Action",
  "Adventure",
  "Animation",
  "Children",
  "Comedy",
  "Crime",
  "Documentary",
  "Drama",
  "Fantasy",
  "Film-Noir",
  "Horror",
  "Musical",
  "Mystery",
  "Romance",
  "Sci-Fi",
  "Thriller",
  "War",
  "Western",
];

/** The CSV source, generated once per folder: 700 users, 450 movies, 45,000 ratings. */
async function source(dir: string): Promise<{ ratings: string[][]; movies: { id: string; title: string; genres: string[] }[] }> {
  await writeSynthetic(dir, { users: 700, movies: 450, ratings: 45_000, seed: 7, minUserRatings: 20 });
  const ratings = readFileSync(join(dir, "ratings.csv"), "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(","));
  const movieLines = readFileSync(join(dir, "movies.csv"), "utf8").trim().split("\n").slice(1);
  const movies = movieLines.map((l) => {
    const m = /^(\d+),(".*"|[^,]*),(.*)$/.exec(l) as RegExpExecArray;
    const title = m[2].startsWith('"') ? m[2].slice(1, -1).replace(/""/g, '"') : m[2];
    return { id: m[1], title, genres: m[3].split("|") };
  });
  return { ratings, movies };
}

/** Writes `layout` into `dir` (created) and returns `dir`. */
export async function writeLayout(dir: string, layout: Layout): Promise<string> {
  const tmp = `${dir}.source`;
  const { ratings, movies } = await source(tmp);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // An accented title, as real catalogues have (written as Latin-1 where the release is).
  movies[0].title = "Amélie (2001)";
  const csvField = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  switch (layout) {
    case "ml-latest-small":
    case "ml-20m": {
      writeFileSync(join(dir, "ratings.csv"), ["userId,movieId,rating,timestamp", ...ratings.map((r) => r.join(","))].join("\n") + "\n");
      writeFileSync(
        join(dir, "movies.csv"),
        ["movieId,title,genres", ...movies.map((m) => `${m.id},${csvField(m.title)},${m.genres.join("|")}`)].join("\n") + "\n",
      );
      writeFileSync(join(dir, "links.csv"), ["movieId,imdbId,tmdbId", ...movies.map((m) => `${m.id},0${m.id},${m.id}`)].join("\n") + "\n");
      writeFileSync(join(dir, "tags.csv"), "userId,movieId,tag,timestamp\n1,1,funny,1\n");
      if (layout === "ml-20m") {
        writeFileSync(join(dir, "genome-tags.csv"), "tagId,tag\n1,007\n");
        writeFileSync(join(dir, "genome-scores.csv"), "movieId,tagId,relevance\n1,1,0.5\n");
      }
      return dir;
    }
    case "ml-1m": {
      const genres = (gs: string[]) => {
        const kept = gs.filter((g) => g !== "IMAX" && g !== "(no genres listed)").map((g) => (g === "Children" ? "Children's" : g));
        return kept.length ? kept : ["Drama"];
      };
      writeFileSync(
        join(dir, "ratings.dat"),
        ratings.map((r) => `${r[0]}::${r[1]}::${Math.max(1, Math.round(Number(r[2])))}::${r[3]}`).join("\n") + "\n",
      );
      writeFileSync(
        join(dir, "movies.dat"),
        Buffer.from(movies.map((m) => `${m.id}::${m.title}::${genres(m.genres).join("|")}`).join("\n") + "\n", "latin1"),
      );
      writeFileSync(join(dir, "users.dat"), "1::F::1::10::48067\n");
      return dir;
    }
    case "ml-100k": {
      const flags = (gs: string[]) => {
        const named = gs.map((g) => (g === "(no genres listed)" ? "unknown" : g)).filter((g) => ML100K_FLAGS.includes(g));
        const set = new Set(named.length ? named : ["unknown"]);
        return ML100K_FLAGS.map((g) => (set.has(g) ? "1" : "0"));
      };
      writeFileSync(
        join(dir, "u.data"),
        ratings.map((r) => `${r[0]}\t${r[1]}\t${Math.max(1, Math.round(Number(r[2])))}\t${r[3]}`).join("\n") + "\n",
      );
      const items = movies.map((m) =>
        [m.id, m.title, "01-Jan-1995", "", `http://us.imdb.com/M/title-exact?${m.id}`, ...flags(m.genres)].join("|"),
      );
      writeFileSync(join(dir, "u.item"), Buffer.from(items.join("\n") + "\n", "latin1"));
      writeFileSync(join(dir, "u.user"), "1|24|M|technician|85711\n");
      return dir;
    }
    default:
      throw new Error(`unknown layout ${String(layout)}`);
  }
}
