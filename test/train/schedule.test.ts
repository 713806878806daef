import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { betaAt, ANNEAL_BETA_SCHEDULE, PAPER_BETA_SCHEDULE, validateBetaSchedule } from "../../lib/train/schedule";

describe("betaAt(update, schedule)", () => {
  it("anneals linearly as min(cap, update / steps) (Liang et al.)", () => {
    assert.equal(betaAt(0, ANNEAL_BETA_SCHEDULE), 0);
    assert.equal(betaAt(20_000, ANNEAL_BETA_SCHEDULE), 0.1);
    assert.equal(betaAt(40_000, ANNEAL_BETA_SCHEDULE), 0.2);
    assert.equal(betaAt(1_000_000, ANNEAL_BETA_SCHEDULE), 0.2);
  });
  it("keeps the paper's fixed beta 0.008 at every update", () => {
    assert.equal(betaAt(0, PAPER_BETA_SCHEDULE), 0.008);
    assert.equal(betaAt(123_456, PAPER_BETA_SCHEDULE), 0.008);
  });
});

describe("validateBetaSchedule(schedule)", () => {
  it("rejects negative caps, zero steps and unknown kinds, naming the field", () => {
    assert.throws(() => validateBetaSchedule({ kind: "anneal", cap: -1, steps: 10 }), /anneal cap must be >= 0/);
    assert.throws(() => validateBetaSchedule({ kind: "anneal", cap: 0.2, steps: 0 }), /anneal steps must be a positive integer/);
    assert.throws(() => validateBetaSchedule({ kind: "fixed", value: NaN }), /fixed value/);
    // @ts-expect-error an unknown kind must not type-check either
    assert.throws(() => validateBetaSchedule({ kind: "cyclic" }), /beta: kind must be "fixed" or "anneal", got \{"kind":"cyclic"\}/);
  });
});
