#!/usr/bin/env bash
# Throughput benchmark of leadminer (see README, "Speed").
#
#   scripts/bench.sh [SIZE_MB]        default 200
#   BENCH_RUNS=N scripts/bench.sh     runs per measurement (default 3): the
#                                     fastest time and the highest peak count
#   BENCH_LARGE_MB=2000 scripts/bench.sh
#                                     also the peak memory of scan on a corpus
#                                     of that size (generated once, 2 GB: 40 s)
#
# Builds a Reddit-format corpus of SIZE_MB from the real text of
# ../shared/corpora (or $LEADMINER_CORPORA) and its 2 GiB-window .zst, then
# reports wall time, MB/s, posts/s and peak memory for:
#   - leadminer stats       (the reading and parsing ceiling)
#   - leadminer scan        (all built-in analyzers)
#   - leadminer scan        with 1,000 extra phrase rules
#   - zstd -d | rg -c       with the built-in packs' phrase list (the floor)
# at 1 thread and at all threads, and scan's speed as a share of stats';
# then the memory of the tables that grow:
# scan's peak on the same corpus with every comment by a different author
# (the author table's cost per million authors) and, with BENCH_LARGE_MB,
# on a larger corpus; and the time and peak memory of sampled betweenness
# (the lead-user network component) on a generated reply network of
# BENCH_AUTHORS authors (default 1,000,000). Results go to stdout and
# target/bench/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."

size_mb=${1:-200}
corpora=${LEADMINER_CORPORA:-../shared/corpora}
out=target/bench
threads=$(nproc)
# One thread, and all of them where there are more (one row each).
thread_counts=(1)
[ "$threads" -gt 1 ] && thread_counts+=("$threads")
runs=${BENCH_RUNS:-3}
mkdir -p "$out"
# The rows measure the first stage; the re-ranking stage (a fixed cost per
# scan when the encoder is there) is measured apart, at the end.
encoder=$(LEADMINER_ENCODER=${LEADMINER_ENCODER:-} python3 - <<'PY'
# The encoder a scan would find (leadminer_rerank::default_dir).
import os
data = os.path.join(os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "leadminer")
found = [os.environ.get("LEADMINER_MPNET") or os.path.join(data, "all-mpnet-base-v2"),
         os.environ.get("LEADMINER_MINILM") or os.path.join(data, "all-minilm-l6-v2")]
given = os.environ.get("LEADMINER_ENCODER")
dirs = [given] if given else found
print(next((d for d in dirs if d != "off" and os.path.isfile(os.path.join(d, "model.safetensors"))), ""))
PY
)
export LEADMINER_ENCODER=off

need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need rg ripgrep
need zstd zstd
need python3 python3
need perl perl
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

cargo build --release --quiet --bin leadminer --example gen_corpus --example bench_betweenness
bin=target/release/leadminer

stem="$out/RC_bench_${size_mb}mb"
if [ ! -f "$stem.ndjson.zst" ]; then
  target/release/examples/gen_corpus "$corpora" "$stem" "$size_mb"
fi
plain="$stem.ndjson"
zst="$stem.ndjson.zst"
bytes=$(stat -c %s "$plain")
posts=$(wc -l < "$plain")

# The packs' phrases, one per line, for the grep floor.
python3 - "$out/phrases.txt" <<'PY'
import re, sys, glob
try:
    import tomllib
except ImportError:
    tomllib = None
phrases = []
for path in sorted(glob.glob("crates/core/rules/*.toml")):
    text = open(path, encoding="utf-8").read()
    if tomllib:
        data = tomllib.loads(text)
        for rule in data.get("rule", []):
            phrases += rule.get("phrases", [])
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("\n".join(sorted(set(phrases))) + "\n")
PY

# 1,000 extra phrase rules made of real word pairs from the corpus.
python3 - "$plain" "$out/1000-rules.toml" <<'PY'
import json, random, re, sys
random.seed(7)
words = []
with open(sys.argv[1], encoding="utf-8") as f:
    for i, line in enumerate(f):
        if i >= 20000:
            break
        words += re.findall(r"[a-z]{4,12}", json.loads(line)["body"].lower())
vocab = sorted(set(words))
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write('[pack]\nid = "bench"\n\n')
    for n in range(1000):
        a, b = random.choice(vocab), random.choice(vocab)
        f.write(f'[[rule]]\nid = "bench.r{n}"\nkind = "solution"\nweight = 0.5\nphrases = ["{a} {b}"]\n\n')
PY

declare -A stats_secs scan_secs
run() { # label threads command...   (fastest of $runs runs, highest peak; sets last_secs)
  local label=$1 t=$2; shift 2
  local tf secs="" kb=0 s k; tf=$(mktemp)
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$tf" "$@" >/dev/null 2>&1
    read -r s k < "$tf"
    if [ -z "$secs" ] || [ "$(echo "$s < $secs" | bc)" = 1 ]; then secs=$s; fi
    if [ "$k" -gt "$kb" ]; then kb=$k; fi
  done
  rm -f "$tf"
  last_secs=$secs
  printf '| %s | %s | %.1f | %.0f | %.0f | %.0f |\n' "$label" "$t" "$secs" \
    "$(echo "$bytes / 1000000 / $secs" | bc -l)" "$(echo "$posts / $secs" | bc -l)" "$(echo "$kb / 1024" | bc -l)"
}
need bc bc

{
  echo "Fastest of $runs runs. Input: $posts comments, $((bytes / 1000000)) MB NDJSON ($(( $(stat -c %s "$zst") / 1000000 )) MB .zst), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo
  echo "| command | threads | seconds | MB/s | posts/s | peak MB |"
  echo "|---|---|---|---|---|---|"
  for t in "${thread_counts[@]}"; do
    run "stats (.ndjson)" "$t" "$bin" stats --threads "$t" "$plain"
    stats_secs[$t]=$last_secs
    run "stats (.zst)" "$t" "$bin" stats --threads "$t" "$zst"
    run "scan (.ndjson)" "$t" "$bin" scan --threads "$t" --out "$out/scan-$t" "$plain"
    scan_secs[$t]=$last_secs
    run "scan (.zst)" "$t" "$bin" scan --threads "$t" --out "$out/scan-$t" "$zst"
    run "scan + 1,000 rules" "$t" "$bin" scan --threads "$t" --rules "$out/1000-rules.toml" --out "$out/scan-$t" "$plain"
  done
  run "zstd -d \| rg -c (phrases)" 1 bash -c "zstd -dc --long=31 '$zst' | rg -c -i -F -f '$out/phrases.txt'"
  echo
  # The ratio the target is set in: scan's speed as a share of stats' on
  # the same input and threads, from this run's own rows.
  for t in "${thread_counts[@]}"; do
    printf 'scan is %.0f%% as fast as stats at --threads %s (.ndjson)\n' \
      "$(echo "100 * ${stats_secs[$t]} / ${scan_secs[$t]}" | bc -l)" "$t"
  done
  echo
  # Memory: the author table. The same comments, each by its own author.
  many="$stem-authors.ndjson"
  if [ ! -f "$many" ]; then
    perl -pe 's/^\{"author":"[^"]*"/{"author":"u$."/' "$plain" > "$many"
  fi
  peak() { # threads input out-dir -> peak KB
    local tf; tf=$(mktemp)
    /usr/bin/time -f "%M" -o "$tf" "$bin" scan --threads "$1" --out "$3" "$2" >/dev/null 2>&1
    cat "$tf"; rm -f "$tf"
  }
  authors() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["authors_seen"])' "$1/summary.json"; }
  kb_few=$(peak "$threads" "$plain" "$out/scan-few"); n_few=$(authors "$out/scan-few")
  kb_many=$(peak "$threads" "$many" "$out/scan-many"); n_many=$(authors "$out/scan-many")
  mb=$((bytes / 1000000))
  echo "| scan input | threads | authors | peak MB |"
  echo "|---|---|---|---|"
  echo "| $mb MB as generated | $threads | $n_few | $((kb_few / 1024)) |"
  echo "| $mb MB, every comment by its own author | $threads | $n_many | $((kb_many / 1024)) |"
  if [ -n "${BENCH_LARGE_MB:-}" ]; then
    large="$out/RC_bench_${BENCH_LARGE_MB}mb"
    [ -f "$large.ndjson.zst" ] || target/release/examples/gen_corpus "$corpora" "$large" "$BENCH_LARGE_MB" >&2
    for t in "${thread_counts[@]}"; do
      kb=$(peak "$t" "$large.ndjson" "$out/scan-large")
      echo "| $BENCH_LARGE_MB MB as generated ($(wc -l < "$large.ndjson") comments) | $t | $(authors "$out/scan-large") | $((kb / 1024)) |"
    done
  fi
  echo
  printf 'Author table: about %.0f MB per million authors.\n' \
    "$(echo "($kb_many - $kb_few) * 1000000 / 1024 / ($n_many - $n_few)" | bc -l)"
  echo
  # The network component: sampled betweenness on a million authors.
  tf=$(mktemp)
  line=$(/usr/bin/time -f "%M" -o "$tf" target/release/examples/bench_betweenness "${BENCH_AUTHORS:-1000000}")
  echo "$line; peak $(( $(cat "$tf") / 1024 )) MB"
  rm -f "$tf"
  # The re-ranking stage: its own time in a scan at all threads.
  if [ -n "$encoder" ]; then
    "$bin" scan "$plain" --quiet --no-report --threads "$threads" --encoder "$encoder" --out "$out/scan-rerank" >/dev/null
    python3 - "$out/scan-rerank/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
t = s["timings"]["rerank_seconds"]
print(f"Re-ranking stage ({s['reranked_with']}): {s['reranked']} posts read in {t:.1f} s ({s['reranked'] / t:.1f} posts/s), on top of the scan.")
PY
  else
    echo "Re-ranking stage: not measured (no encoder; scripts/fetch-encoder.sh)"
  fi
} | tee "$out/results.md"
