// Which (user, condition) rows an epoch trains on, for each sampler of TrainConfig
// ("full", "balanced", "one-genre"; see train/config.ts). Every user with items appears
// with the zero condition; the sampler decides the genre rows.
import { Rng } from "../core/rng";
import { type EntryConditions, rowConditions } from "../data/conditions/conditions";
import type { Csr } from "../data/schema";
import { nnz, rowLength } from "../data/sparse";
import type { Rows } from "../model/batch";
import type { Sampler } from "./config";

/** Builds the rows of one epoch for a sampler; "balanced" rows are drawn once and reused. */
export class RowSampler {
  private fixed: Rows | null = null;
  private readonly genresOfUser: Csr;

  constructor(
    private readonly train: Csr,
    trainConditions: EntryConditions,
    private readonly sampler: Sampler,
    private readonly conditioned: boolean,
    private readonly subsample: number,
    /** Seed of the balanced sampler's one-off draw (its own stream, so a resumed run redraws the same rows). */
    private readonly balancedSeed = 0,
  ) {
    this.genresOfUser = rowConditions(train, trainConditions);
  }

  /** The rows of the next epoch, shuffled with `rng`. */
  epoch(rng: Rng): Rows {
    const rows = this.draw(rng);
    const order = rng.permutation(rows.users.length);
    return { users: order.map((k) => rows.users[k]), conditions: order.map((k) => rows.conditions[k]) };
  }

  private draw(rng: Rng): Rows {
    const U = this.train.rows;
    const zeroUsers: number[] = [];
    for (let u = 0; u < U; u++) if (rowLength(this.train, u) > 0) zeroUsers.push(u);
    if (!this.conditioned) return { users: Int32Array.from(zeroUsers), conditions: new Int32Array(zeroUsers.length).fill(-1) };
    const g = this.genresOfUser;
    switch (this.sampler) {
      case "full": {
        const users = [...zeroUsers];
        const conds = new Array<number>(zeroUsers.length).fill(-1);
        for (let u = 0; u < U; u++)
          for (let k = g.indptr[u]; k < g.indptr[u + 1]; k++) {
            users.push(u);
            conds.push(g.indices[k]);
          }
        return { users: Int32Array.from(users), conditions: Int32Array.from(conds) };
      }
      case "balanced": {
        if (!this.fixed) {
          const perGenre = Math.floor((nnz(g) * this.subsample) / g.cols);
          const byGenre: number[][] = Array.from({ length: g.cols }, () => []);
          const draw = new Rng(this.balancedSeed);
          for (let u = 0; u < U; u++) for (let k = g.indptr[u]; k < g.indptr[u + 1]; k++) byGenre[g.indices[k]].push(u);
          const users = [...zeroUsers];
          const conds = new Array<number>(zeroUsers.length).fill(-1);
          byGenre.forEach((have, c) => {
            if (have.length === 0) return;
            for (let i = 0; i < perGenre; i++) {
              users.push(have[draw.integer(have.length)]);
              conds.push(c);
            }
          });
          this.fixed = { users: Int32Array.from(users), conditions: Int32Array.from(conds) };
        }
        return this.fixed;
      }
      case "one-genre": {
        const users = [...zeroUsers];
        const conds = new Array<number>(zeroUsers.length).fill(-1);
        for (let u = 0; u < U; u++) {
          const n = g.indptr[u + 1] - g.indptr[u];
          if (n === 0) continue;
          users.push(u);
          conds.push(g.indices[g.indptr[u] + rng.integer(n)]);
        }
        return { users: Int32Array.from(users), conditions: Int32Array.from(conds) };
      }
      default:
        throw new Error(`unknown sampler: ${String(this.sampler)}`);
    }
  }
}
