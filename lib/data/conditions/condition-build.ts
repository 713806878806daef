// Builds the conditions of a processed data set during preprocessing (preprocess.ts): the
// item table of an item attribute, or the context of every interaction of every matrix for
// an interaction context, read from the ratings' timestamps in the chosen time zone.
import { contextLabels, contextOf, entryContexts, itemConditionsOf, LocalClock, scopeOf } from "./conditions";
import type { ConditionVocabulary, Csr, HeldOutSplit, MatrixContexts, PreprocessOptions, RawDataset } from "../schema";

/** What preprocessing has built that the conditions are read from. */
export interface PreprocessedParts {
  /** Item index -> catalogue row. */
  itemRows: readonly number[];
  /** Dense user index of each training row. */
  trainUsers: readonly number[];
  trainMatrix: Csr;
  valid: HeldOutSplit;
  test: HeldOutSplit;
  /** MovieLens user id -> dense user index. */
  denseUser(id: number): number;
  /** Calls visit(rating, item) for each positive rating of an indexed item by dense user u (first rating of a pair). */
  ratedItems(u: number, visit: (rating: number, item: number) => void): void;
}

/** Daypart and weekday read the ratings' timestamps: the file must have the column. */
export function checkTimestamps(raw: RawDataset, kind: string): void {
  if (!raw.ratings.timestamps)
    throw new Error(`${raw.ratingsFile}: no timestamp column; conditions "${kind}" read each rating's time (use genre or decade)`);
}

/** A kept interaction whose timestamp could not be read: the error names the file's first unreadable one. */
function unreadableTime(raw: RawDataset, kind: string): never {
  const bad = raw.ratings.badTimestamps;
  throw new Error(
    `${bad ? bad.first : raw.ratingsFile} (${bad?.count ?? "some"} unreadable timestamp${bad?.count === 1 ? "" : "s"} in the file); ` +
      `conditions "${kind}" need the time of every rating the protocol keeps`,
  );
}

/** The condition vocabulary of the chosen kind, with its item table or the context of every interaction. */
export function buildConditions(
  raw: RawDataset,
  options: PreprocessOptions,
  built: PreprocessedParts,
): { conditions: ConditionVocabulary; itemConditions: Csr | null; contexts: MatrixContexts | null } {
  const kind = options.conditions;
  if (scopeOf(kind) === "item") {
    const catalogue = built.itemRows.map((row) => ({ title: raw.movies.titles[row], genres: raw.movies.genres[row] }));
    const { labels, itemConditions } = itemConditionsOf(kind, catalogue);
    return { conditions: { kind, scope: "item", labels, timeZone: null }, itemConditions, contexts: null };
  }
  const clock = new LocalClock(options.timeZone);
  const stamps = raw.ratings.timestamps as Int32Array;
  // Only ratings the protocol keeps need a time: an unreadable one elsewhere in the file is ignored.
  const ofUser = (u: number, set: (item: number, context: number) => void) =>
    built.ratedItems(u, (r, item) => set(item, stamps[r] < 0 ? unreadableTime(raw, kind) : contextOf(kind, clock, stamps[r])));
  const byIds = (ids: Int32Array) => (row: number, set: (item: number, context: number) => void) => ofUser(built.denseUser(ids[row]), set);
  const contexts: MatrixContexts = {
    train: entryContexts(built.trainMatrix, (row, set) => ofUser(built.trainUsers[row], set)),
    validFoldIn: entryContexts(built.valid.foldIn, byIds(built.valid.userIds)),
    validHeldOut: entryContexts(built.valid.heldOut, byIds(built.valid.userIds)),
    testFoldIn: entryContexts(built.test.foldIn, byIds(built.test.userIds)),
    testHeldOut: entryContexts(built.test.heldOut, byIds(built.test.userIds)),
  };
  return {
    conditions: { kind, scope: "interaction", labels: [...contextLabels(kind)], timeZone: options.timeZone },
    itemConditions: null,
    contexts,
  };
}
