#!/usr/bin/env python3
"""Leave-one-community-out probe of other models on leadminer's rows.

Reads the rows `leadminer eval --cv --export-rows FILE` writes (what the
cross-validation sees of each labeled post) and cross-validates a model of
another kind on exactly those rows and folds: each community held out in
turn, the model fitted on the others, its threshold chosen for F1 by an
inner leave-one-community-out over the training communities (never on the
held-out one), posts a scan does not list never flagged. It prints pooled
F1, mean average precision and mean top-10 precision per label, the
numbers `eval --cv` prints, so a probe can be compared with the built-in
scorer before anything is written in Rust.

    leadminer eval --cv --export-rows rows.jsonl --gold ... INPUT...
    python3 scripts/loco_probe.py rows.jsonl --model lr --C 0.3
    python3 scripts/loco_probe.py rows.jsonl --model lr --drop w,w2
    python3 scripts/loco_probe.py rows.jsonl --model gbm --drop w,w2
    python3 scripts/loco_probe.py rows.jsonl --model lr --embedding 3   # rows exported with --rerank

Whether one design is better than another beyond chance: save the first's
held-out decisions, then compare the second with them on the same posts
(paired bootstrap, posts resampled within their community, as `eval --cv`):

    python3 scripts/loco_probe.py rows.jsonl --save base.json
    python3 scripts/loco_probe.py rows.jsonl --drop w,w2 --compare base.json

Needs numpy, scipy and scikit-learn (`--model gbm`: lightgbm). A
development tool: nothing in the scan or the tests depends on it.
scikit-learn's regression is not linfa's (another solver, C for alpha), so
its numbers come near the built-in scorer's, not onto them; compare probes
with the `--model lr` row of the same run.
"""

import argparse
import json
import sys

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score

LABELS = ["solution", "user_innovation", "need", "commercial"]


def matrix(rows, train, min_df, keep):
    """Sparse features of every row over the vocabulary of `train`."""
    df = {}
    for i in train:
        for k in rows[i]["features"] or {}:
            if keep(k):
                df[k] = df.get(k, 0) + 1
    index = {k: j for j, k in enumerate(sorted(k for k, n in df.items() if n >= min_df))}
    data, ri, ci = [], [], []
    for i, r in enumerate(rows):
        for k, v in (r["features"] or {}).items():
            j = index.get(k)
            if j is not None:
                data.append(v)
                ri.append(i)
                ci.append(j)
    return sp.csr_matrix((data, (ri, ci)), shape=(len(rows), len(index)))


def best_threshold(p, y):
    """The threshold with the best F1, ties to the higher; 0.5 if none."""
    positives, best = y.sum(), (0.0, 0.5)
    for t in np.unique(p[~np.isnan(p)]):
        flagged = p >= t
        tp = (flagged & y).sum()
        f1 = 0.0 if tp == 0 else 2 * tp / (flagged.sum() + positives)
        if f1 > best[0] or (f1 == best[0] and f1 > 0 and t > best[1]):
            best = (f1, t)
    return best[1]


def make_model(args, rows):
    keep = lambda k: k not in args.drop and k.split(":")[0] not in args.drop
    emb = None
    if args.embedding:
        if not all("embedding" in r for r in rows):
            sys.exit("--embedding: the rows have no embeddings (export them with eval --cv --rerank)")
        emb = sp.csr_matrix(np.array([r["embedding"] for r in rows], dtype=np.float32) * args.embedding)

    def fit_predict(train, test, label):
        x = matrix(rows, train, args.min_df, keep)
        if emb is not None:
            x = sp.hstack([x, emb]).tocsr()
        y = np.array([rows[i]["gold"][label] is True for i in train])
        if y.all() or not y.any():
            return np.full(len(test), y.mean())
        if args.model == "gbm":
            import lightgbm

            m = lightgbm.LGBMClassifier(
                n_estimators=args.rounds, num_leaves=args.leaves, learning_rate=args.rate,
                colsample_bytree=0.5, min_child_samples=20, subsample=0.8, subsample_freq=1,
                reg_lambda=5, verbose=-1, random_state=0, n_jobs=2)
            x = x.astype(np.float32)
        else:
            m = LogisticRegression(C=args.C, max_iter=500)
        return m.fit(x[train], y).predict_proba(x[test])[:, 1]

    return fit_predict


def cross_validate(rows, label, fit_predict):
    """Pooled P/R/F1, mean average precision and top-10 precision."""
    y = np.array([r["gold"][label] is True for r in rows])
    has = np.array([r["gold"][label] is not None for r in rows])
    listed = np.array([r["features"] is not None for r in rows])
    group = np.array([r["group"] for r in rows])
    groups = sorted(set(group))
    score, flag = np.zeros(len(rows)), np.zeros(len(rows), bool)
    for g in groups:
        oof = np.full(len(rows), np.nan)
        for h in groups:
            if h != g:
                train = np.where(has & listed & (group != g) & (group != h))[0]
                test = np.where(has & listed & (group == h))[0]
                oof[test] = fit_predict(train, test, label)
        inner = has & (group != g)
        threshold = best_threshold(oof[inner], y[inner])
        train = np.where(has & listed & (group != g))[0]
        test = np.where(has & listed & (group == g))[0]
        score[test] = fit_predict(train, test, label)
        flag[test] = score[test] >= threshold
    tp, fp, fn = (flag & y & has).sum(), (flag & ~y & has).sum(), (~flag & y & has).sum()
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    aps, tops = [], []
    for g in groups:
        m = has & (group == g)
        aps.append(average_precision_score(y[m], score[m]) if y[m].any() else 0.0)
        tops.append(y[m][np.argsort(-score[m], kind="stable")[:10]].mean())
    decisions = {rows[i]["key"]: [bool(flag[i]), bool(y[i]), str(group[i])] for i in np.where(has)[0]}
    return (p, r, (2 * p * r / (p + r) if p + r else 0.0), np.mean(aps), np.mean(tops)), decisions


RESAMPLES = 1000


def f1_of(flag, truth):
    """F1 per resample: rows of 0/1 decisions and truths."""
    tp = (flag & truth).sum(axis=-1)
    wrong = (flag ^ truth).sum(axis=-1)
    return np.where(2 * tp + wrong > 0, 2 * tp / np.maximum(2 * tp + wrong, 1), 0.0)


def paired_interval(ours, theirs):
    """This design's F1 minus the other's on the posts both decided, and a
    95% paired bootstrap interval of it (posts resampled within their
    community, a fixed seed)."""
    keys = sorted(set(ours) & set(theirs))
    a = np.array([ours[k][0] for k in keys])
    b = np.array([theirs[k][0] for k in keys])
    y = np.array([ours[k][1] for k in keys])
    group = np.array([ours[k][2] for k in keys])
    rng = np.random.default_rng(0x1EAD5EED)
    draws = np.concatenate(
        [rng.choice(np.where(group == g)[0], size=(RESAMPLES, (group == g).sum())) for g in sorted(set(group))],
        axis=1)
    diff = f1_of(a[draws], y[draws]) - f1_of(b[draws], y[draws])
    return f1_of(a, y) - f1_of(b, y), np.percentile(diff, 2.5), np.percentile(diff, 97.5)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rows")
    ap.add_argument("--model", choices=["lr", "gbm"], default="lr")
    ap.add_argument("--C", type=float, default=0.3, help="lr: inverse regularization strength")
    ap.add_argument("--min-df", type=int, default=5)
    ap.add_argument("--drop", type=lambda s: set(s.split(",")), default=set(),
                    help="features to leave out: families by the name before the colon (w, w2, rule, kind, ...) "
                         "or single features by their whole name (link:own_domain)")
    ap.add_argument("--embedding", type=float, default=0.0, help="append the post embedding times this weight")
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--leaves", type=int, default=4)
    ap.add_argument("--rate", type=float, default=0.05)
    ap.add_argument("--labels", default="solution,user_innovation,need,commercial")
    ap.add_argument("--save", help="write the held-out decisions to this file (JSON), for --compare")
    ap.add_argument("--compare", help="a file of --save: print this design's F1 minus that one's, with a "
                                      "95%% paired bootstrap interval")
    args = ap.parse_args()
    with open(args.rows) as f:
        rows = [json.loads(line) for line in f]
    fit_predict = make_model(args, rows)
    print(f"{len(rows)} rows, {len({r['group'] for r in rows})} communities")
    print(f"{'label':16} {'precision':>9} {'recall':>6} {'f1':>6} {'avg.P':>6} {'top10.P':>7}")
    saved, compared = {}, []
    other = {}
    if args.compare:
        with open(args.compare) as f:
            other = json.load(f)
    for label in args.labels.split(","):
        (p, r, f1, avg, top), saved[label] = cross_validate(rows, label, fit_predict)
        print(f"{label:16} {p:9.3f} {r:6.3f} {f1:6.3f} {avg:6.3f} {top:7.3f}", flush=True)
        if label in other:
            compared.append((label, *paired_interval(saved[label], other[label])))
    if compared:
        print(f"\nF1 minus {args.compare}'s on the same posts, 95% paired bootstrap interval")
        for label, d, low, high in compared:
            print(f"{label:16} {d:+6.3f}  [{low:+.3f}, {high:+.3f}]")
    if args.save:
        with open(args.save, "w") as f:
            json.dump(saved, f)


if __name__ == "__main__":
    main()
