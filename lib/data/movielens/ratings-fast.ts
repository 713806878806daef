// The fast path of the ratings parser: growable columns, and a tight loop over plainly
// well-formed "user,movie,rating[,rest]" lines that hands anything else back to the careful
// parser in ratings-file.ts. Also the byte and role codes both share.
/** What a column of a ratings file holds. */
export type RatingField = "userId" | "movieId" | "rating" | "timestamp" | "ignore";

export const NL = 10;
export const CR = 13;
export const DOT = 46;
export const QUOTE = 34;
export const ZERO = 48;
export const NINE = 57;
export const MAX_INT32 = 2147483647;

// Field roles as small integers for the hot loop.
export const R_IGNORE = 0;
export const R_USER = 1;
export const R_MOVIE = 2;
export const R_RATING = 3;
export const R_TIME = 4;

/** What the fourth column of a fast-path line is: none, ignored text, or a timestamp. */
export const TAIL_NONE = 0;
export const TAIL_IGNORE = 1;
export const TAIL_TIME = 2;

/** Growable columns of parsed ratings. */
export class RatingColumns {
  capacity: number;
  userIds: Int32Array;
  movieIds: Int32Array;
  ratings: Float32Array;
  /** Unix seconds of each rating (0 where the file has no timestamp column). */
  timestamps: Int32Array;
  n = 0;
  constructor(capacity: number) {
    this.capacity = capacity;
    this.userIds = new Int32Array(capacity);
    this.movieIds = new Int32Array(capacity);
    this.ratings = new Float32Array(capacity);
    this.timestamps = new Int32Array(capacity);
  }
  grow(): void {
    this.capacity *= 2;
    this.userIds = grown(this.userIds, new Int32Array(this.capacity));
    this.movieIds = grown(this.movieIds, new Int32Array(this.capacity));
    this.ratings = grown(this.ratings, new Float32Array(this.capacity));
    this.timestamps = grown(this.timestamps, new Int32Array(this.capacity));
  }
  store(user: number, movie: number, rating: number, timestamp = 0): void {
    if (this.n === this.capacity) this.grow();
    this.userIds[this.n] = user;
    this.movieIds[this.n] = movie;
    this.ratings[this.n] = rating;
    this.timestamps[this.n] = timestamp;
    this.n++;
  }
}

function grown<T extends Int32Array | Float32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/**
 * Parses well-formed "user,movie,rating[,rest]" lines from `start` until `end`, the
 * columns being full, or a line that is not plainly well formed (its start is returned,
 * for the careful parser). `tail` says what the fourth column is (TAIL_*).
 */
export function fastLines(buf: Buffer, start: number, end: number, d0: number, tail: number, out: RatingColumns): number {
  const { userIds, movieIds, ratings, timestamps, capacity } = out;
  const hasTail = tail !== TAIL_NONE;
  let n = out.n;
  let p = start;
  while (p < end && n < capacity) {
    const lineStart = p;
    let c = buf[p];
    let user = 0;
    while (c >= ZERO && c <= NINE) {
      user = user * 10 + (c - ZERO);
      c = buf[++p];
    }
    if (c !== d0 || p === lineStart || user > MAX_INT32) {
      p = lineStart;
      break;
    }
    const movieStart = ++p;
    c = buf[p];
    let movie = 0;
    while (c >= ZERO && c <= NINE) {
      movie = movie * 10 + (c - ZERO);
      c = buf[++p];
    }
    if (c !== d0 || p === movieStart || movie > MAX_INT32) {
      p = lineStart;
      break;
    }
    const ratingStart = ++p;
    c = buf[p];
    let rating = 0;
    while (c >= ZERO && c <= NINE) {
      rating = rating * 10 + (c - ZERO);
      c = buf[++p];
    }
    if (c === DOT) {
      c = buf[++p];
      let frac = 0;
      let scale = 1;
      while (c >= ZERO && c <= NINE) {
        frac = frac * 10 + (c - ZERO);
        scale *= 10;
        c = buf[++p];
      }
      rating += frac / scale;
    }
    if ((hasTail ? c !== d0 : c !== NL) || p === ratingStart || !(rating >= 0.5 && rating <= 5)) {
      p = lineStart;
      break;
    }
    let time = 0;
    if (tail === TAIL_TIME) {
      const timeStart = ++p;
      c = buf[p];
      while (c >= ZERO && c <= NINE) {
        time = time * 10 + (c - ZERO);
        c = buf[++p];
      }
      if (c !== NL || p === timeStart || time > MAX_INT32) {
        p = lineStart;
        break;
      }
    } else if (hasTail) {
      c = buf[++p];
      while (c !== NL && c !== d0) c = buf[++p];
      if (c === d0) {
        p = lineStart;
        break;
      }
    }
    userIds[n] = user;
    movieIds[n] = movie;
    ratings[n] = rating;
    timestamps[n] = time;
    n++;
    p++;
  }
  out.n = n;
  return p;
}

/** The common layouts user,movie,rating(,ignored) with a one-byte delimiter get the fast path. */
export function fastLayout(roles: Int8Array, d1: number): boolean {
  return (
    d1 < 0 &&
    (roles.length === 3 || roles.length === 4) &&
    roles[0] === R_USER &&
    roles[1] === R_MOVIE &&
    roles[2] === R_RATING &&
    (roles.length === 3 || roles[3] === R_IGNORE || roles[3] === R_TIME)
  );
}

/** The TAIL_* code of a fast layout's roles. */
export function tailOf(roles: Int8Array): number {
  return roles.length === 3 ? TAIL_NONE : roles[3] === R_TIME ? TAIL_TIME : TAIL_IGNORE;
}

export function toCodes(names: RatingField[]): Int8Array {
  const code = (r: RatingField) =>
    r === "userId" ? R_USER : r === "movieId" ? R_MOVIE : r === "rating" ? R_RATING : r === "timestamp" ? R_TIME : R_IGNORE;
  return Int8Array.from(names, code);
}
