#!/usr/bin/env python3
"""The share of true user innovations at the top of a scan's list, as a
reader of the list meets them: judged by a person, not by the labeled
sample.

Issue 19's target for new communities is "at least 60% of the top 50
posts of each forum true user innovations". The labeled posts cannot
measure it (a scan's top 50 are rarely among them), so the posts a scan
ranks highest are judged by hand and kept as a gold file
(`docs/judged-top50.jsonl`: `source`, `id`, `community`,
`user_innovation`, and `judged`, how and when). Three steps:

1. Fit on every labeled community but the forum (leave it out):

       python3 scripts/top_judged.py without gbadev \\
           ../shared/eval/train.jsonl ../shared/eval/dev.jsonl > gold.jsonl
       leadminer train --gold gold.jsonl --out m.json --rerank-out h.json \\
           ../shared/corpora/{hackernews,discourse-urho3d,mbox,openenergymonitor,splitscreenvan,gbadev}
       leadminer scan --model m.json --rerank-head h.json ../shared/corpora/gbadev --out scan

2. Score the top of its list against the judged posts:

       python3 scripts/top_judged.py score scan docs/judged-top50.jsonl

   It prints the precision of the top 10, 20 and 50 among the judged
   posts and lists the ids of the top posts nobody has judged yet.

3. Judge those (read each post under `../shared/eval/GUIDELINE.md`, blind
   to which scorer listed it) and add them to the file, so the next
   design is measured on the same footing.

`docs/judged-top50-second.jsonl` holds a second reader's judgements of
the same posts; how far two judges agree (Cohen's kappa, and the posts
they judged apart):

       python3 scripts/top_judged.py agree docs/judged-top50.jsonl docs/judged-top50-second.jsonl

A development tool: nothing in the scan or the tests depends on it.
"""

import argparse
import json
import sys


def group_of(community):
    """The community a post is held out with, as `leadminer_learn::group_of`."""
    labels = community.split("/")[0].lower().split(".")
    while len(labels) > 1 and labels[0] in ("forum", "forums", "www", "news", "discourse", "lists"):
        labels.pop(0)
    return labels[0]


def read_lines(path):
    try:
        f = open(path)
    except OSError as e:
        sys.exit(f"{path}: {e.strerror}")
    with f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield n, line, json.loads(line)
                except json.JSONDecodeError as e:
                    sys.exit(f"{path}:{n}: {e}")


def without(args):
    """Writes the gold lines of every community but one."""
    kept = 0
    for path in args.gold:
        for n, line, item in read_lines(path):
            if "community" not in item:
                sys.exit(f"{path}:{n}: no community")
            if group_of(item["community"]) != args.community:
                sys.stdout.write(line if line.endswith("\n") else line + "\n")
                kept += 1
    print(f"{kept} gold lines kept, {args.community} left out", file=sys.stderr)


def score(args):
    """Precision at the top of a scan's list among the judged posts."""
    judged = {}
    for n, _, item in read_lines(args.judged):
        value = item.get(args.label)
        if value is None:
            continue
        judged[(item["source"], str(item["id"]))] = bool(value)
    posts = [(p["source"], str(p["id"]), p["scores"][args.label]) for _, _, p in read_lines(f"{args.scan}/posts.jsonl")]
    # Best first; ties in input order, as the report lists them.
    order = sorted(range(len(posts)), key=lambda i: (-posts[i][2], i))
    top = [posts[i][:2] for i in order[: max(args.k)]]
    for k in args.k:
        known = [judged[p] for p in top[:k] if p in judged]
        share = f"{sum(known) / len(known):.2f}" if known else "-"
        print(f"top {k}: {sum(known)} of {len(known)} judged posts are {args.label} ({share}); {k - len(known)} not judged")
    missing = [f"{s}:{i}" for s, i in top if (s, i) not in judged]
    if missing:
        print("not judged yet: " + " ".join(missing))


def agree(args):
    """How far two judged files agree on the posts both judged."""
    files = []
    for path in (args.first, args.second):
        judged = {}
        for _, _, item in read_lines(path):
            if item.get(args.label) is not None:
                judged[(item["source"], str(item["id"]))] = (item.get("community", ""), bool(item[args.label]))
        files.append(judged)
    first, second = files
    both = [p for p in first if p in second]
    if not both:
        sys.exit("no post is judged in both files")
    groups = sorted({first[p][0] for p in both})
    for group in groups + ([None] if len(groups) > 1 else []):
        posts = [p for p in both if group is None or first[p][0] == group]
        n = len(posts)
        agreed = sum(first[p][1] == second[p][1] for p in posts) / n
        yes1 = sum(first[p][1] for p in posts) / n
        yes2 = sum(second[p][1] for p in posts) / n
        chance = yes1 * yes2 + (1 - yes1) * (1 - yes2)
        kappa = (agreed - chance) / (1 - chance) if chance < 1 else 1.0
        print(f"{group or 'all'}: {n} posts, agreed on {agreed:.3f}, kappa {kappa:.3f}; "
              f"{args.label} {yes1:.2f} (first) and {yes2:.2f} (second)")
    apart = [f"{s}:{i} {int(first[(s, i)][1])}/{int(second[(s, i)][1])}" for s, i in both if first[(s, i)][1] != second[(s, i)][1]]
    if apart:
        print("judged apart (first/second): " + " ".join(apart))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    w = sub.add_parser("without", help="gold lines of every community but one")
    w.add_argument("community", help="as eval --cv names it: gbadev, openenergymonitor, ...")
    w.add_argument("gold", nargs="+")
    s = sub.add_parser("score", help="precision at the top of a scan's list")
    s.add_argument("scan", help="a scan's output folder (posts.jsonl)")
    s.add_argument("judged", help="judged posts, as docs/judged-top50.jsonl")
    s.add_argument("--label", default="user_innovation")
    s.add_argument("--k", type=int, nargs="+", default=[10, 20, 50])
    a = sub.add_parser("agree", help="how far two judged files agree")
    a.add_argument("first")
    a.add_argument("second")
    a.add_argument("--label", default="user_innovation")
    args = ap.parse_args()
    {"without": without, "score": score, "agree": agree}[args.command](args)


if __name__ == "__main__":
    main()
