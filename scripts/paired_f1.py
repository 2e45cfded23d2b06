#!/usr/bin/env python3
"""Whether one run of `leadminer eval --cv` beats another beyond chance.

Reads two files of held-out decisions (`eval --cv --decisions FILE`) and
prints, per label, the pooled F1 of a scorer in each run, their
difference on the posts both decided and a 95% paired bootstrap interval
of it (posts resampled within their community, 1,000 resamples, a fixed
seed: the intervals `eval --cv` prints between its own scorers).
`--ranking` adds the same for the ranking: the mean over communities of
the average precision (scikit-learn's, over every labeled post of the
community) and of the precision of the ten highest-scored posts.

    leadminer eval --cv --rerank --decisions a.jsonl --gold ... INPUT...
    leadminer eval --cv --rerank --encoder other/encoder --decisions b.jsonl --gold ... INPUT...
    python3 scripts/paired_f1.py b.jsonl a.jsonl --scorer reranked --ranking

An interval holding 0 cannot tell the two runs apart. Needs numpy and
scikit-learn (as loco_probe.py). A development tool: nothing in the scan
or the tests depends on it.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loco_probe import RESAMPLES, f1_of, paired_interval  # noqa: E402


def read(path, scorer):
    """{label: {key: [flagged, truth, community, score]}} of one scorer."""
    out = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            try:
                d = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{n}: {e}")
            if d["scorer"] == scorer:
                out.setdefault(d["label"], {})[d["key"]] = [d["flagged"], d["truth"], d["group"], d["score"]]
    if not out:
        sys.exit(f"{path}: no decisions of the scorer {scorer!r}")
    return out


def ranking_intervals(ours, theirs):
    """Differences of mean average precision and mean top-10 precision
    (ours minus theirs) on the posts both scored, each with a 95% paired
    bootstrap interval (posts resampled within their community)."""
    import numpy as np
    from sklearn.metrics import average_precision_score

    keys = sorted(set(ours) & set(theirs))
    a = np.array([ours[k][3] for k in keys])
    b = np.array([theirs[k][3] for k in keys])
    y = np.array([ours[k][1] for k in keys])
    group = np.array([ours[k][2] for k in keys])
    members = [np.where(group == g)[0] for g in sorted(set(group))]

    def means(score, picks):
        aps, tops = [], []
        for i in picks:
            aps.append(average_precision_score(y[i], score[i]) if y[i].any() else 0.0)
            tops.append(y[i][np.argsort(-score[i], kind="stable")[:10]].mean())
        return np.array([np.mean(aps), np.mean(tops)])

    observed = means(a, members) - means(b, members)
    rng = np.random.default_rng(0x1EAD5EED)
    draws = []
    for _ in range(RESAMPLES):
        picks = [rng.choice(m, size=len(m)) for m in members]
        draws.append(means(a, picks) - means(b, picks))
    low, high = np.percentile(np.array(draws), [2.5, 97.5], axis=0)
    return [(observed[j], low[j], high[j]) for j in range(2)]


def pooled(decisions):
    import numpy as np
    flag = np.array([v[0] for v in decisions.values()])
    truth = np.array([v[1] for v in decisions.values()])
    return float(f1_of(flag, truth))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ours", help="decisions of the run to judge")
    ap.add_argument("theirs", help="decisions of the run to compare it with")
    ap.add_argument("--scorer", default="learned",
                    choices=["rules", "learned", "reranked", "reader", "read-blend"])
    ap.add_argument("--their-scorer", help="the other run's scorer (default: --scorer)")
    ap.add_argument("--ranking", action="store_true",
                    help="also compare mean average precision and mean top-10 precision")
    args = ap.parse_args()
    ours = read(args.ours, args.scorer)
    theirs = read(args.theirs, args.their_scorer or args.scorer)
    print(f"{'label':16} {'ours':>6} {'theirs':>6} {'diff':>7}  95% paired interval")
    for label in ours:
        if label not in theirs:
            continue
        d, low, high = paired_interval(ours[label], theirs[label])
        print(f"{label:16} {pooled(ours[label]):6.3f} {pooled(theirs[label]):6.3f} {d:+7.3f}  [{low:+.3f}, {high:+.3f}]")
        if args.ranking:
            (ap, ap_low, ap_high), (top, top_low, top_high) = ranking_intervals(ours[label], theirs[label])
            print(f"{'':16} mean average precision {ap:+.3f} [{ap_low:+.3f}, {ap_high:+.3f}]  "
                  f"mean top-10 precision {top:+.3f} [{top_low:+.3f}, {top_high:+.3f}]", flush=True)


if __name__ == "__main__":
    main()
