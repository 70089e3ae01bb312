#!/usr/bin/env bash
# Import and check throughput and peak memory on batches of seed-size files.
# Usage: bench/run.sh [N]   (default 10000). Needs /usr/bin/time; python-docx for the yardstick
# (installed into a venv under target/bench-venv when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
cargo build --release -q
BIN=target/release/jixiao
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

make_batch() { # ext count -> dir
  local ext=$1 count=$2 dir="$WORK/$1-$2"
  mkdir -p "$dir"
  local src="examples/seed-2023-shifeng-tongzhanbu.$ext"
  for i in $(seq 1 "$count"); do cp "$src" "$dir/f$i.$ext"; done
  echo "$dir"
}

measure() { # label count cmd...
  local label=$1 count=$2; shift 2
  local out
  /usr/bin/time -o "$WORK/time" -f "%e %M" "$@" >/dev/null 2>/dev/null || true
  out=$(tail -n1 "$WORK/time")
  local secs=${out% *} kb=${out#* }
  python3 - "$label" "$count" "$secs" "$kb" <<'PY'
import sys
label, n, s, kb = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
rate = n / s if s > 0 else float("inf")
print(f"| {label} | {n} | {s:.2f} s | {rate:,.0f} files/s | {kb/1024:.1f} MB |")
PY
}

echo "| what | files | wall | throughput | peak RSS |"
echo "|---|---|---|---|---|"
for ext in txt docx xlsx; do
  d=$(make_batch "$ext" 1000)
  measure "jixiao import --format json (.${ext})" 1000 $BIN import --format json "$d"
done
for n in 1000 "$N"; do
  d=$(make_batch docx "$n")
  measure "jixiao import --format json (.docx)" "$n" $BIN import --format json "$d"
  measure "jixiao check --format json (.docx)" "$n" $BIN check --format json --profile hunan-zhuzhou "$d"
done
d="$WORK/docx-$N"
if ! python3 -c "import docx" 2>/dev/null; then
  python3 -m venv target/bench-venv >/dev/null && target/bench-venv/bin/pip install -q python-docx
  PY=target/bench-venv/bin/python
else
  PY=python3
fi
measure "python-docx: extract every table cell (bench/python_docx_extract.py)" "$N" $PY bench/python_docx_extract.py "$d"
