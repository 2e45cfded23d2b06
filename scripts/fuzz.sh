#!/usr/bin/env bash
# Runs leadminer's fuzz targets (fuzz/, cargo-fuzz with libFuzzer), each for
# a set time, seeded with the repository's fixtures.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS defaults to 600 per target; no TARGET runs them all, one after
# the other. Needs `cargo install cargo-fuzz`; uses a nightly toolchain when
# one is installed, else the stable one with RUSTC_BOOTSTRAP=1. A crash is
# saved under fuzz/artifacts/TARGET/, the other targets still run, and the
# script exits with 1;
# replay it with `cargo fuzz run TARGET fuzz/artifacts/TARGET/crash-...`.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
shift || true

if rustup run nightly rustc --version >/dev/null 2>&1; then
  fuzz=(cargo +nightly fuzz)
else
  export RUSTC_BOOTSTRAP=1
  fuzz=(cargo fuzz)
fi

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <("${fuzz[@]}" list)
fi

fixtures=crates/core/tests/fixtures
# seed TARGET [PREFIX-BYTE] FILE...: copies fixtures into the target's
# corpus, behind a selector byte for targets that take one.
seed() {
  local target=$1 prefix=$2
  shift 2
  local dir=fuzz/corpus/$target
  mkdir -p "$dir"
  for f in "$@"; do
    [ -f "$f" ] || continue
    local name
    name=seed-$(basename "$f")-$prefix
    if [ "$prefix" = "-" ]; then
      head -c 200000 "$f" >"$dir/$name"
    else
      { printf "\\x$prefix"; head -c 200000 "$f"; } >"$dir/$name"
    fi
  done
}
seed read_reddit - $fixtures/reddit/*.ndjson examples/data/reddit/*.ndjson
seed read_hackernews - $fixtures/hackernews/* examples/data/hackernews/*
seed read_discourse - $fixtures/discourse/*.json examples/data/discourse/*.json
seed read_stackexchange 00 $fixtures/stackexchange/datascience.meta.Posts.xml $fixtures/stackexchange/*/Posts.xml
seed read_stackexchange 01 $fixtures/stackexchange/*/Comments.xml
seed read_mail 00 $fixtures/mail/*.mbox examples/data/mail/*.mbox
seed read_mail 01 $fixtures/mail/bigbang-dev-test.txt
seed read_generic 00 $fixtures/generic/*.jsonl
seed read_generic 01 $fixtures/generic/*.csv
seed html_to_text - $fixtures/discourse/*.json examples/data/stackexchange/*/Posts.xml
seed markdown_to_text - $fixtures/reddit/*.ndjson README.md docs/RULES.md
seed rule_pack - crates/core/rules/*.toml
seed pattern - crates/core/rules/*.toml

"${fuzz[@]}" build
failed=()
for target in "${targets[@]}"; do
  echo "== $target: ${secs}s"
  mkdir -p "fuzz/artifacts/$target"
  if ! "${fuzz[@]}" run "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 -max_len=262144 -print_final_stats=1; then
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "crashed: ${failed[*]} (inputs under fuzz/artifacts/)" >&2
  exit 1
fi
