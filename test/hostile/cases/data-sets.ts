// Hostile cases of class 8 one name, one data set, and 10 stored text (issue 23, items 3 and 6).
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Case, md5, movieLensFolder, processed, type Sandbox, tiny } from "../corpus";

/** A MovieLens folder of the corpus fixture with every 5th rating of user 1..40 dropped: another source of the same shape. */
function otherFolder(dir: string): string {
  movieLensFolder(dir);
  const lines = readFileSync(join(dir, "ratings.csv"), "utf8").trimEnd().split("\n");
  writeFileSync(join(dir, "ratings.csv"), [lines[0], ...lines.slice(1).filter((_, k) => k % 5 !== 2)].join("\n") + "\n");
  return dir;
}

const datasetJson = (s: Sandbox, name = "synthetic-tiny") => join(processed(s, name), "dataset.json");
const sourceOf = (s: Sandbox, name: string): string =>
  (JSON.parse(readFileSync(datasetJson(s, name), "utf8")) as { source: { folder: string } }).source.folder;
const evaluateTiny = () => ["evaluate", ...tiny, "--run", "tinym"];

/** The set's dataset.json is byte for byte what it was before the command. */
function untouched(s: Sandbox, before: string, name = "synthetic-tiny"): string | null {
  return md5(readFileSync(datasetJson(s, name))) === before ? null : `${datasetJson(s, name)} was rewritten`;
}

/** Edits dataset.json's text in place (no checksum recomputed), as a hand edit or a damaged disk would. */
function editText(s: Sandbox, edit: (text: string) => string): void {
  writeFileSync(datasetJson(s), edit(readFileSync(datasetJson(s), "utf8")));
}

let tinyMd5 = "";
const rememberTiny = (s: Sandbox) => {
  tinyMd5 = md5(readFileSync(datasetJson(s)));
};

const ONE_NAME: Omit<Case, "group">[] = [
  {
    id: "8.1",
    title: "data prepare ./b/twin after ./a/twin (two folders, one base name)",
    setup: (s) => {
      movieLensFolder(join(s.work, "a", "twin"));
      otherFolder(join(s.work, "b", "twin"));
    },
    before: () => [["data", "prepare", "./a/twin"]],
    argv: () => ["data", "prepare", "./b/twin"],
    expect: "error",
    names: /"twin".*a\/twin.*b\/twin.*--replace/,
    check: (s) => (sourceOf(s, "twin").endsWith(join("a", "twin")) ? null : "the set now comes from b/twin"),
  },
  {
    id: "8.2",
    title: "data prepare ./mine --name synthetic-tiny (a set that exists, from another source)",
    setup: (s) => {
      otherFolder(join(s.work, "mine"));
      rememberTiny(s);
    },
    argv: () => ["data", "prepare", "./mine", "--name", "synthetic-tiny"],
    expect: "error",
    names: /"synthetic-tiny".*raw\/synthetic-tiny.*mine.*--replace/,
    check: (s) => untouched(s, tinyMd5),
  },
  {
    id: "8.3",
    title: 'data prepare "./y/twin set!" after ./x/twin-set (names that normalise to one folder)',
    setup: (s) => {
      movieLensFolder(join(s.work, "x", "twin-set"));
      otherFolder(join(s.work, "y", "twin set!"));
    },
    before: () => [["data", "prepare", "./x/twin-set"]],
    argv: () => ["data", "prepare", "./y/twin set!"],
    expect: "error",
    names: /"twin-set".*x\/twin-set.*twin set!.*--replace/,
  },
  {
    id: "8.4",
    title: "data prepare synthetic-tiny again (same source, same name), then evaluate --run tinym",
    before: () => [["data", "prepare", "synthetic-tiny"]],
    argv: evaluateTiny,
    expect: "ok",
  },
  {
    id: "8.5",
    title: "evaluate --run tinym after replacing synthetic-tiny's source (data prepare ./other/synthetic-tiny --replace)",
    setup: (s) => otherFolder(join(s.work, "other", "synthetic-tiny")),
    before: () => [["data", "prepare", "./other/synthetic-tiny", "--replace"]],
    argv: evaluateTiny,
    expect: "error",
    names: /run "tinym".*"synthetic-tiny".*replaced by a set prepared from .*other\/synthetic-tiny.*--restart.*data prepare/,
  },
  {
    id: "8.6",
    title: "data prepare ./b/twin --replace after ./a/twin replaces the set",
    setup: (s) => {
      movieLensFolder(join(s.work, "a", "twin"));
      otherFolder(join(s.work, "b", "twin"));
    },
    before: () => [["data", "prepare", "./a/twin"]],
    argv: () => ["data", "prepare", "./b/twin", "--replace"],
    expect: "ok",
    check: (s) => (sourceOf(s, "twin").endsWith(join("b", "twin")) ? null : `the set still comes from ${sourceOf(s, "twin")}`),
  },
  {
    id: "8.7",
    title: "evaluate --dataset ./no/such/folder",
    argv: () => ["evaluate", "--dataset", "./no/such/folder", "--run", "tinym"],
    expect: "error",
    names: /no\/such\/folder: no such folder/,
    check: (_s, r) => (/data prepare/.test(r.stderr) ? "it still suggests a data prepare command" : null),
  },
  {
    id: "8.8",
    title: "evaluate --dataset ./tinycopy (an existing folder, never prepared)",
    setup: (s) => cpSync(join(s.data, "raw", "synthetic-tiny"), join(s.work, "tinycopy"), { recursive: true }),
    argv: () => ["evaluate", "--dataset", "./tinycopy", "--run", "tinym"],
    expect: "error",
    names: /not prepared yet; run `npx cvae data prepare \.\/tinycopy`/,
  },
  {
    id: "8.9",
    title: "evaluate --dataset ./b/twin --run tinym when the set twin came from ./a/twin",
    setup: (s) => {
      movieLensFolder(join(s.work, "a", "twin"));
      otherFolder(join(s.work, "b", "twin"));
    },
    before: () => [["data", "prepare", "./a/twin"]],
    argv: () => ["evaluate", "--dataset", "./b/twin", "--run", "tinym"],
    expect: "error",
    names: /"twin".*was prepared from .*a\/twin, not from .*b\/twin/,
  },
  {
    id: "8.10",
    title: "recommend --run tinym after data prepare synthetic-tiny --seed 7 (same source, another split)",
    before: () => [["data", "prepare", "synthetic-tiny", "--seed", "7"]],
    argv: () => ["recommend", ...tiny, "--run", "tinym", "--user", "1"],
    expect: "error",
    // The sandbox's data folder is a copy, so the recorded source folder is the original's: "replaced" there, "prepared again" in place.
    names: /run "tinym".*"synthetic-tiny".*(prepared again from|replaced by a set prepared from) .*synthetic-tiny.*--restart/,
  },
  {
    id: "8.11",
    title: "an identical copy of synthetic-tiny's source: refused without --replace, and tinym still evaluates after it",
    setup: (s) => cpSync(join(s.data, "raw", "synthetic-tiny"), join(s.work, "copy", "synthetic-tiny"), { recursive: true }),
    before: () => [
      ["data", "prepare", "./copy/synthetic-tiny"],
      ["data", "prepare", "./copy/synthetic-tiny", "--replace"],
    ],
    argv: evaluateTiny,
    expect: "ok",
    check: (s) => (sourceOf(s, "synthetic-tiny").includes("copy") ? null : "--replace did not replace the set"),
  },
  {
    id: "8.12",
    title: "data prepare ./data/raw/synthetic-tiny (the same source, given as a path)",
    setup: rememberTiny,
    argv: () => ["data", "prepare", "./data/raw/synthetic-tiny"],
    expect: "ok",
  },
  {
    id: "8.13",
    title: "explore --run tinym after synthetic-tiny was replaced by another source",
    setup: (s) => otherFolder(join(s.work, "other", "synthetic-tiny")),
    before: () => [["data", "prepare", "./other/synthetic-tiny", "--replace"]],
    argv: () => ["explore", ...tiny, "--run", "tinym", "--users", "50"],
    expect: "error",
    names: /run "tinym".*"synthetic-tiny".*replaced/,
  },
];

const STORED_TEXT: Omit<Case, "group">[] = [
  {
    id: "10.1",
    title: "an edited title in dataset.json (same length, valid JSON)",
    setup: (s) =>
      editText(s, (t) => {
        const titles = (JSON.parse(t) as { movies: { titles: string[] } }).movies.titles;
        const title = titles.find((x) => /\(\d{4}\)$/.test(x)) ?? titles[0];
        return t.replace(JSON.stringify(title), JSON.stringify(title.replace(/\(\d{4}\)$|.$/, (m) => (m.length > 1 ? "(2099)" : "#"))));
      }),
    argv: evaluateTiny,
    expect: "error",
    names: /dataset\.json: movies\.titles does not match its checksum/,
  },
  {
    id: "10.2",
    title: "a damaged genre label in dataset.json (one byte flipped)",
    setup: (s) => {
      const b = readFileSync(datasetJson(s));
      const at = b.indexOf('"genres":["') + 12;
      b[at] ^= 0x20; // a lower-case letter becomes upper case and back: still valid JSON
      writeFileSync(datasetJson(s), b);
    },
    argv: evaluateTiny,
    expect: "error",
    names: /dataset\.json: (genres|conditions\.labels) does not match its checksum/,
  },
  {
    id: "10.3",
    title: "a truncated dataset.json",
    setup: (s) => {
      const b = readFileSync(datasetJson(s));
      writeFileSync(datasetJson(s), b.subarray(0, Math.floor(b.length * 0.6)));
    },
    argv: evaluateTiny,
    expect: "error",
    names: /dataset\.json: not valid JSON/,
  },
  {
    id: "10.4",
    title: "dataset.json's version lowered to 3 by hand (which would skip the checksums)",
    setup: (s) => editText(s, (t) => t.replace('"version":4', '"version":3')),
    argv: evaluateTiny,
    expect: "error",
    names: /dataset\.json: version 3 with sums/,
  },
  {
    id: "10.5",
    title: "a field added to dataset.json by hand",
    setup: (s) => editText(s, (t) => t.replace(/^\{/, '{"note":"mine",')),
    argv: evaluateTiny,
    expect: "error",
    names: /dataset\.json: note has no checksum/,
  },
  {
    id: "10.6",
    title: "dataset.json pretty-printed (the same values): still loads, tinym still evaluates",
    setup: (s) => editText(s, (t) => JSON.stringify(JSON.parse(t), null, 2)),
    argv: evaluateTiny,
    expect: "ok",
  },
  {
    id: "10.7",
    title: "a version 3 set (no sums, as written before) loads unverified: tinym evaluates on it",
    setup: (s) =>
      editText(s, (t) => {
        const { sums: _s, ...doc } = JSON.parse(t) as Record<string, unknown>;
        return JSON.stringify({ ...doc, version: 3 });
      }),
    argv: evaluateTiny,
    expect: "ok",
  },
  {
    id: "10.8",
    title: "a set of another source prepared under the name of a version 3 set (no dataPath recorded)",
    setup: (s) => {
      editText(s, (t) => {
        const { sums: _s, ...doc } = JSON.parse(t) as Record<string, unknown>;
        return JSON.stringify({ ...doc, version: 3 });
      });
      otherFolder(join(s.work, "mine"));
    },
    argv: () => ["data", "prepare", "./mine", "--name", "synthetic-tiny"],
    expect: "error",
    names: /"synthetic-tiny".*--replace/,
  },
  {
    id: "10.9",
    title: "a title damaged into invalid UTF-8 (one byte set to 0xff)",
    setup: (s) => {
      const b = readFileSync(datasetJson(s));
      b[b.indexOf('"titles":["') + 13] = 0xff;
      writeFileSync(datasetJson(s), b);
    },
    argv: evaluateTiny,
    expect: "error",
    names: /dataset\.json: movies\.titles does not match its checksum/,
  },
  {
    id: "10.10",
    title: "dataset.json's source.folder pointed elsewhere by hand",
    setup: (s) => editText(s, (t) => t.replace(/"folder":"[^"]*"/, '"folder":"/somewhere/else"')),
    argv: evaluateTiny,
    expect: "error",
    names: /dataset\.json: source\.folder does not match its checksum/,
  },
];

export const DATA_SET_CASES: Case[] = [
  ...ONE_NAME.map((c) => ({ ...c, group: "8 one name, one data set" as const })),
  ...STORED_TEXT.map((c) => ({ ...c, group: "10 stored text" as const })),
];
