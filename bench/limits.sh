#!/usr/bin/env bash
# Peak memory of `jixiao check` on the hostile-size files of issue 10 (bench/hostile.py):
# each must be refused with a Chinese error naming the limit, within MAX_RSS_MB (300) of
# peak RSS. Prints a Markdown table (file, size, wall, peak RSS, what jixiao said) and
# exits non-zero when a file is accepted or goes over the memory bound.
#
# Usage: bench/limits.sh   Environment: MAX_RSS_MB (300), KEEP (a folder to keep the files in)
# Needs python3 and GNU time (/usr/bin/time; installed from Debian when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_RSS_MB=${MAX_RSS_MB:-300}

[ -x /usr/bin/time ] || { apt-get install -y time >/dev/null || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }; }
cargo build --release -q --bin jixiao
BIN=target/release/jixiao

DIR=${KEEP:-$(mktemp -d)}
mkdir -p "$DIR"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$DIR"' EXIT
python3 bench/hostile.py "$DIR" >/dev/null

echo "| file | size | wall | peak RSS | jixiao check says |"
echo "| --- | ---: | ---: | ---: | --- |"
status=0
for f in "$DIR"/form-100k.txt "$DIR"/cells-2m.html "$DIR"/cells-1m.docx "$DIR"/rows-1m.xlsx; do
  out=$(mktemp)
  set +e
  /usr/bin/time -f '%e %M' -o "$out.time" "$BIN" check --format json "$f" >"$out" 2>"$out.err"
  set -e
  read -r wall rss_kb < <(tail -n1 "$out.time")
  rss_mb=$((rss_kb / 1024))
  # The file's error (status failed) as jixiao reports it.
  said=$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
files=d["files"] if isinstance(d,dict) else d
f=files[0]
print(f.get("error") or ("accepted: %d forms" % len(f.get("forms",[]))))' "$out" 2>/dev/null || head -c 200 "$out.err")
  size=$(du -h "$f" | cut -f1)
  echo "| $(basename "$f") | $size | ${wall} s | ${rss_mb} MB | $said |"
  if [ "$rss_mb" -gt "$MAX_RSS_MB" ]; then status=1; fi
  case "$said" in accepted*) status=1 ;; esac
  rm -f "$out" "$out.time" "$out.err"
done
exit $status
