#!/usr/bin/python3
"""The same preprocessing in pandas, for `npm run bench -- preprocess` (developer tool).

Liang et al.'s protocol as the C-VAE authors' scripts run it: read_csv, keep rating > 3.5,
keep users with >= 5 of them, permute users with RandomState(seed), hold out H users for
validation and for test, index items seen in training (first appearance), split held-out
users 80/20 (users with < 2 indexed items dropped, at least one item held out).
Prints one JSON line: timings, counts, peak RSS, and a checksum of the split.
"""
import json
import resource
import sys
import time

t_start = time.perf_counter()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def main(folder, seed=98765, heldout=None):
    t0 = time.perf_counter()
    r = pd.read_csv(folder + "/ratings.csv", usecols=["userId", "movieId", "rating"])
    movies = pd.read_csv(folder + "/movies.csv")
    t_read = time.perf_counter() - t0
    n_raw = len(r)
    r = r[r["rating"] > 3.5]
    n_pos = len(r)
    cnt = r.groupby("userId").size()
    r = r[r["userId"].isin(cnt.index[cnt >= 5])]
    users = np.sort(r["userId"].unique())
    users = users[np.random.RandomState(seed).permutation(len(users))]
    n = len(users)
    h = heldout if heldout is not None else (10000 if n > 100000 else int(round(0.1 * n)))
    train = r[r["userId"].isin(users[: n - 2 * h])]
    items = pd.Index(pd.unique(train["movieId"]))

    def split(us):
        d = r[r["userId"].isin(us)]
        d = d[items.get_indexer(d["movieId"]) >= 0]
        c = d.groupby("userId").size()
        d = d[d["userId"].isin(c.index[c >= 2])]
        uid, rows = np.unique(d["userId"].values, return_inverse=True)
        order = np.argsort(rows, kind="stable")
        starts = np.searchsorted(rows[order], np.arange(len(uid) + 1))
        rng, held = np.random.RandomState(seed), np.zeros(len(d), bool)
        for u in range(len(uid)):
            k = starts[u + 1] - starts[u]
            pick = rng.choice(k, size=max(int(0.2 * k), 1), replace=False)
            held[order[starts[u] + pick]] = True
        return d, held, len(uid)

    vd, vd_held, vd_users = split(users[n - 2 * h : n - h])
    te, te_held, te_users = split(users[n - h :])
    t_total = time.perf_counter() - t0

    def checksum(d, held):  # order-free hash of the held-out (user, movie) pairs
        u = d["userId"].values[held].astype(np.uint64)
        m = d["movieId"].values[held].astype(np.uint64)
        return int(((u * np.uint64(1000003) + m) % np.uint64(2**32)).sum() % (2**32))

    return dict(
        tool="pandas %s, numpy %s" % (pd.__version__, np.__version__),
        seconds=dict(read=round(t_read, 3), total=round(t_total, 3), process=round(time.perf_counter() - t_start, 3)),
        counts=dict(raw_ratings=n_raw, positive_ratings=n_pos, filtered_ratings=len(r), users=n, heldout=h,
                    train_users=n - 2 * h, items=len(items), train_interactions=len(train), catalogue=len(movies),
                    valid_users=vd_users, test_users=te_users,
                    valid_heldout=int(vd_held.sum()), test_heldout=int(te_held.sum())),
        checksum=dict(valid=checksum(vd, vd_held), test=checksum(te, te_held),
                      first_items=[int(x) for x in items[:10]]),
        max_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], *(int(a) for a in sys.argv[2:]))))
