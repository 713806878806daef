// cvae explore and cvae profile: the smallest --users each accepts, and the claims as explore prints them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { claimIntervals } from "../../lib/analysis/claims/intervals";
import { claimTexts, MIN_USERS } from "../../lib/cli/analysis";
import { type Command, parseCommandArgs, UsageError } from "../../lib/cli/args";
import { loadCommand } from "../../lib/cli/main";
import { construct } from "../helpers/claims-construction";
import { tempDir } from "../helpers/temp";

process.env.CVAE_DATA_DIR = tempDir("analysis-cli-");

async function plan(name: string, argv: string[]): Promise<Record<string, unknown>> {
  const c: Command = loadCommand(name);
  return (await c.plan(parseCommandArgs(c, argv))) as Record<string, unknown>;
}

describe("cvae explore --users and cvae profile --users", () => {
  for (const [command, min] of [
    ["explore", 6],
    ["profile", 3],
  ] as const) {
    it(`cvae ${command} refuses fewer than ${min} users up front, with a usage error naming --users and the minimum`, async () => {
      for (const users of ["1", String(min - 1)])
        await assert.rejects(
          plan(command, ["--users", users]),
          (err) => err instanceof UsageError && err.message === `cvae ${command}: --users must be at least ${min}, got "${users}"`,
        );
      assert.equal((await plan(command, ["--users", String(min)])).users, min);
    });
  }

  it("explore's minimum is the fewest users whose one-user bootstrap resamples are rarer than the smallest tail --level allows", () => {
    const explore = loadCommand("explore");
    const level = explore.flags.level.max ?? NaN;
    const tail = (1 - level) / 2;
    // A resample of U users draws the same one every time with chance U * (1/U)^U: it has no silhouette.
    const oneUser = (u: number) => u ** (1 - u);
    assert.equal(MIN_USERS.explore.users, 6);
    assert.ok(oneUser(6) < tail && oneUser(5) >= tail, `${oneUser(6)} < ${tail} <= ${oneUser(5)}`);
    assert.equal(explore.flags.users.min, MIN_USERS.explore.users);
    assert.equal(loadCommand("profile").flags.users.min, MIN_USERS.profile.users);
  });
});

describe("claimTexts(claims, controlled): explore's lines for each claim", () => {
  it("shows (g2) of a synthetic set without its ground-truth.json as one line saying it is not measured and why", () => {
    const why = "not measured: the planted truth /d/raw/synthetic-tiny/ground-truth.json is missing; regenerate it with `x`";
    const claims = claimIntervals({ ...construct(), truth: null, truthMissing: why }, { resamples: 20, seed: 3 });
    const g2 = claimTexts(claims).at(-1);
    assert.equal(g2, `(g2) Genre distances follow the planted affinity (synthetic data)\n  ${why}`);
  });

  it("gives a claim that could not be measured no verdict: 'n/a ... -> not applicable', never 'does not hold'", () => {
    const claims = claimIntervals({ ...construct(), silhouetteUsers: 1 }, { resamples: 20, seed: 3 });
    const a = claimTexts(claims)[0];
    assert.match(a, /\n {2}latent space: n\/a, 95 % n\/a -> not applicable\n/);
    assert.doesNotMatch(a, /does not hold/);
  });
});
