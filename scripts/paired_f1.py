#!/usr/bin/env python3
"""Whether one run of `leadminer eval --cv` beats another beyond chance.

Reads two files of held-out decisions (`eval --cv --decisions FILE`) and
prints, per label, the pooled F1 of a scorer in each run, their
difference on the posts both decided and a 95% paired bootstrap interval
of it (posts resampled within their community, 1,000 resamples, a fixed
seed: the intervals `eval --cv` prints between its own scorers).

    leadminer eval --cv --rerank --decisions a.jsonl --gold ... INPUT...
    LEADMINER_ENCODER=other/encoder leadminer eval --cv --rerank --decisions b.jsonl --gold ... INPUT...
    python3 scripts/paired_f1.py b.jsonl a.jsonl --scorer reranked

An interval holding 0 cannot tell the two runs apart. Needs numpy. A
development tool: nothing in the scan or the tests depends on it.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loco_probe import f1_of, paired_interval  # noqa: E402


def read(path, scorer):
    """{label: {key: [flagged, truth, community]}} of one scorer."""
    out = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            try:
                d = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{n}: {e}")
            if d["scorer"] == scorer:
                out.setdefault(d["label"], {})[d["key"]] = [d["flagged"], d["truth"], d["group"]]
    if not out:
        sys.exit(f"{path}: no decisions of the scorer {scorer!r}")
    return out


def pooled(decisions):
    import numpy as np
    flag = np.array([v[0] for v in decisions.values()])
    truth = np.array([v[1] for v in decisions.values()])
    return float(f1_of(flag, truth))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ours", help="decisions of the run to judge")
    ap.add_argument("theirs", help="decisions of the run to compare it with")
    ap.add_argument("--scorer", default="learned", choices=["rules", "learned", "reranked"])
    ap.add_argument("--their-scorer", help="the other run's scorer (default: --scorer)")
    args = ap.parse_args()
    ours = read(args.ours, args.scorer)
    theirs = read(args.theirs, args.their_scorer or args.scorer)
    print(f"{'label':16} {'ours':>6} {'theirs':>6} {'diff':>7}  95% paired interval")
    for label in ours:
        if label not in theirs:
            continue
        d, low, high = paired_interval(ours[label], theirs[label])
        print(f"{label:16} {pooled(ours[label]):6.3f} {pooled(theirs[label]):6.3f} {d:+7.3f}  [{low:+.3f}, {high:+.3f}]")


if __name__ == "__main__":
    main()
