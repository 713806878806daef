import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  aboutConditions,
  checkConditionKind,
  checkTimeZone,
  contextLabels,
  contextOf,
  decadeLabel,
  entryContexts,
  entryHas,
  itemConditionsOf,
  itemEntryConditions,
  LocalClock,
  NO_YEAR,
  rowConditions,
  scopeOf,
  titleYear,
} from "../../../lib/data/conditions/conditions";
import { csrFromPairs } from "../../../lib/data/sparse";

// Unix seconds of known instants (checked with Python's datetime in UTC).
const SAT_1930_UTC = 1427571000; // 2015-03-28T19:30:00Z, a Saturday
const MON_0559_UTC = 1427695199; // 2015-03-30T05:59:59Z
const MON_0600_UTC = 1427695200;
const MON_1759_UTC = 1427738399;
const MON_1800_UTC = 1427738400;
const NY_BEFORE_DST = 1425796200; // 2015-03-08T06:30:00Z = 01:30 EST
const NY_AFTER_DST = 1425799800; // 2015-03-08T07:30:00Z = 03:30 EDT (clocks went 02:00 -> 03:00)

describe("condition kinds", () => {
  it("knows the four kinds and their scopes, and rejects others naming the parameter", () => {
    assert.deepEqual(
      ["genre", "decade", "daypart", "weekday"].map((k) => scopeOf(checkConditionKind(k))),
      ["item", "item", "interaction", "interaction"],
    );
    assert.throws(
      () => checkConditionKind("hour", "--conditions"),
      /--conditions must be one of genre, decade, daypart, weekday; got "hour"/,
    );
    assert.throws(() => checkConditionKind(undefined), /conditions must be one of/);
  });

  it("has fixed context labels in their natural order", () => {
    assert.deepEqual(contextLabels("daypart"), ["night", "morning", "afternoon", "evening"]);
    assert.deepEqual(contextLabels("weekday"), ["weekday", "weekend"]);
    assert.throws(() => contextLabels("genre"), /not an interaction context/);
  });

  it("says a sentence about genres about another kind, and leaves it for genres", () => {
    assert.equal(
      aboutConditions("Genre distances follow genre co-occurrence", "daypart"),
      "Daypart distances follow daypart co-occurrence",
    );
    assert.equal(aboutConditions("popular genres", "weekday"), "popular week parts");
    assert.equal(aboutConditions("popular genres", "genre"), "popular genres");
  });
});

describe("titleYear(title) and decadeLabel(year)", () => {
  it("reads the year in parentheses at a title's end, with ranges and trailing spaces", () => {
    assert.equal(titleYear("Heat (1995)"), 1995);
    assert.equal(titleYear("Paper River, The (2007) "), 2007);
    assert.equal(titleYear("Sherlock (2010\u20132017)"), 2010);
    assert.equal(titleYear("Cosmos (1980-)"), 1980);
    assert.equal(titleYear("2001: A Space Odyssey"), null, "a year inside the title is not its release year");
    assert.equal(titleYear("Babylon 5"), null);
  });

  it("buckets years by decade, with a bucket for titles without a year", () => {
    assert.deepEqual([decadeLabel(1995), decadeLabel(1990), decadeLabel(2009), decadeLabel(null)], ["1990s", "1990s", "2000s", NO_YEAR]);
  });
});

describe("LocalClock(timeZone) and contextOf(kind, clock, seconds)", () => {
  const utc = new LocalClock(null);

  it("gives UTC hour and weekday: the epoch is Thursday 00:00, a known Saturday evening is one", () => {
    assert.deepEqual([utc.hour(0), utc.weekday(0)], [0, 4]);
    assert.deepEqual([utc.hour(SAT_1930_UTC), utc.weekday(SAT_1930_UTC)], [19, 6]);
  });

  it("puts the daypart boundaries at 6, 12 and 18 hours, and Saturday and Sunday in the weekend", () => {
    assert.deepEqual(
      [MON_0559_UTC, MON_0600_UTC, MON_1759_UTC, MON_1800_UTC].map((t) => contextOf("daypart", utc, t)),
      [0, 1, 2, 3],
    );
    assert.equal(contextOf("weekday", utc, MON_0600_UTC), 0);
    assert.equal(contextOf("weekday", utc, SAT_1930_UTC), 1);
    assert.equal(contextOf("weekday", utc, SAT_1930_UTC + 86400), 1, "Sunday");
    assert.throws(() => contextOf("genre", utc, 0), /not an interaction context/);
  });

  it("reads another zone with half-hour offsets and daylight saving time", () => {
    const kolkata = new LocalClock("Asia/Kolkata"); // UTC+5:30: Saturday 19:30Z is Sunday 01:00
    assert.deepEqual([kolkata.hour(SAT_1930_UTC), kolkata.weekday(SAT_1930_UTC)], [1, 0]);
    assert.equal(contextOf("daypart", kolkata, SAT_1930_UTC), 0);
    const ny = new LocalClock("America/New_York");
    assert.deepEqual([ny.hour(NY_BEFORE_DST), ny.hour(NY_AFTER_DST)], [1, 3]);
    // The cache is per quarter hour: every second of one gives the same answer as Intl.
    assert.equal(ny.hour(NY_AFTER_DST + 899), 3);
  });

  it("checks time zones by name; null and UTC mean UTC", () => {
    assert.equal(checkTimeZone(null), null);
    assert.equal(checkTimeZone("UTC"), null);
    assert.equal(checkTimeZone("Europe/Rome"), "Europe/Rome");
    assert.throws(() => checkTimeZone("Mars/Olympus", "--time-zone"), /--time-zone: unknown time zone "Mars\/Olympus"/);
    assert.throws(() => checkTimeZone(""), /IANA time zone name/);
  });
});

describe("itemConditionsOf(kind, items)", () => {
  const items = [
    { title: "A (1995)", genres: ["Drama"] },
    { title: "B (1999)", genres: ["Comedy", "Drama"] },
    { title: "C", genres: ["Comedy"] },
    { title: "D (2003)", genres: [] },
  ];

  it("gives decades as one condition per item, sorted, with the no-year bucket", () => {
    const { labels, itemConditions } = itemConditionsOf("decade", items);
    assert.deepEqual(labels, [NO_YEAR, "1990s", "2000s"]);
    assert.deepEqual(Array.from(itemConditions.indices), [1, 1, 0, 2]);
    assert.deepEqual(Array.from(itemConditions.indptr), [0, 1, 2, 3, 4]);
  });

  it("gives genres as their labels, several per item", () => {
    const { labels, itemConditions } = itemConditionsOf("genre", items);
    assert.deepEqual(labels, ["Comedy", "Drama"]);
    assert.deepEqual(Array.from(itemConditions.indptr), [0, 1, 3, 4, 4]);
    assert.throws(() => itemConditionsOf("daypart", items), /not an item attribute/);
  });
});

describe("EntryConditions: entryHas and rowConditions", () => {
  // Two users: user 0 has items 0, 1, 2; user 1 has items 1, 3.
  const matrix = csrFromPairs(2, 4, [0, 0, 0, 1, 1], [0, 1, 2, 1, 3]);

  it("reads item attributes from the item table", () => {
    const e = itemEntryConditions(csrFromPairs(4, 2, [0, 1, 1, 3], [0, 0, 1, 1]));
    assert.equal(entryHas(e, 0, 0, 0), true);
    assert.equal(entryHas(e, 2, 2, 0), false, "item 2 has no condition");
    assert.deepEqual(Array.from(rowConditions(matrix, e).indices), [0, 1, 0, 1]);
  });

  it("reads interaction contexts per stored entry, so one item can be in two contexts for two users", () => {
    const contexts = Uint8Array.from([2, 0, 0, 3, 3]); // user 0 rated item 1 in context 0, user 1 in context 3
    const e = { scope: "interaction" as const, count: 4, contexts };
    assert.equal(entryHas(e, 1, 1, 0), true);
    assert.equal(entryHas(e, 3, 1, 0), false);
    assert.equal(entryHas(e, 3, 1, 3), true);
    const rows = rowConditions(matrix, e);
    assert.deepEqual(
      [Array.from(rows.indptr), Array.from(rows.indices)],
      [
        [0, 2, 3],
        [0, 2, 3],
      ],
    );
  });

  it("entryContexts fills each entry from its row's rated items, and refuses an item without one", () => {
    const rated = [
      [
        [0, 2],
        [1, 0],
        [2, 0],
      ],
      [
        [1, 3],
        [3, 3],
      ],
    ];
    const out = entryContexts(matrix, (row, set) => rated[row].forEach(([item, c]) => set(item, c)));
    assert.deepEqual(Array.from(out), [2, 0, 0, 3, 3]);
    assert.throws(() => entryContexts(matrix, () => undefined), /row 0 has item 0 without a context/);
  });
});
