import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { heldoutCount } from "../../../lib/data/protocol/split";

describe("heldoutCount(users, heldout)", () => {
  it("holds out 10,000 users per split above 100,000 users (ML-20M) and 10 % below", () => {
    assert.equal(heldoutCount(136_677), 10_000);
    assert.equal(heldoutCount(100_000), 10_000); // 10 % of exactly 100k
    assert.equal(heldoutCount(6_000), 600);
    assert.equal(heldoutCount(15), 2); // round(1.5) = 2
    assert.equal(heldoutCount(0), 0);
  });
  it("uses an explicit count and rejects one that leaves no training users", () => {
    assert.equal(heldoutCount(6_000, 100), 100);
    assert.throws(() => heldoutCount(100, 50), /leaves no training users/);
    assert.throws(() => heldoutCount(100, -1), /non-negative integer/);
  });
});
