#!/usr/bin/env bash
# The server under heavy work (issue 10 §1): the largest dossier the default limits allow
# (max_dossier_rows rows: project forms of up to max_indicators indicators each), four
# clients reading its page and two exporting its PDF in loops, while wrk measures
# `/healthz` at two connections. Prints the /healthz latency, what the page and PDF clients
# got (200 / 503 "正在排队" / other) and the server's peak RSS (VmHWM).
# Targets: /healthz p99 under 50 ms, server RSS under 1 GB.
#
# Usage: bench/heavy.sh   Environment: DURATION (30 s), PORT (18090), ROWS (5000)
# Needs curl, python3, Chromium (for the PDFs); installs wrk (Debian package) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-30}
PORT=${PORT:-18090}
ROWS=${ROWS:-5000}
BASE=http://127.0.0.1:$PORT

command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }; }
cargo build --release -q --bin jixiao --example fill
BIN=target/release/jixiao
FILL=target/release/examples/fill

WORK=$(mktemp -d)
SERVER_PID=
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

echo "$PASSWORD" | "$FILL" --database "$WORK/heavy.db" --count 1 --admin bench-admin >"$WORK/fill.txt"
read -r _ ID _ < <(tail -n1 "$WORK/fill.txt")
"$BIN" serve --database "$WORK/heavy.db" --bind "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
CSRF=$(curl -sf -c "$WORK/jar" -H 'Content-Type: application/json' -H "Origin: $BASE" \
  -d "{\"username\":\"bench-admin\",\"password\":\"$PASSWORD\"}" "$BASE/api/login" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
COOKIE="jixiao_session=$(awk '$6 == "jixiao_session" { print $7 }' "$WORK/jar")"

# The largest dossier: the seed's first project form grown to max_indicators rows, copied
# until the dossier holds ROWS rows (indicators and details of all forms).
curl -sf -H "Cookie: $COOKIE" "$BASE/api/dossiers/$ID" >"$WORK/d.json"
python3 - "$WORK/d.json" "$ROWS" >"$WORK/put.json" <<'EOF'
import copy, json, sys
d = json.load(open(sys.argv[1])); rows = int(sys.argv[2])
forms = [f for f in d["forms"] if f["kind"] == "project"]
big = copy.deepcopy(forms[0])
first = big["indicators"][0]
big["indicators"] = [dict(copy.deepcopy(first), name="%s（第%d项）" % (first["name"], i)) for i in range(500 - len(big["details"]))]
per = len(big["indicators"]) + len(big["details"])
out = [f for f in d["forms"] if f["kind"] != "project"]
used = sum(len(f.get("indicators", [])) + len(f.get("details", [])) + len(f.get("items", [])) + len(f.get("key_tasks", [])) for f in out)
n = 0
while used + per <= rows:
    f = copy.deepcopy(big); f["name"] = "%s（%d）" % (big["name"], n); out.append(f); used += per; n += 1
print(json.dumps({"forms": out, "base_version": d["version"]}, ensure_ascii=False))
print("dossier: %d forms, %d rows" % (len(out), used), file=sys.stderr)
EOF
code=$(curl -s -o "$WORK/put.out" -w '%{http_code}' -X PUT -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" \
  -H 'Content-Type: application/json' -H "Origin: $BASE" --data-binary @"$WORK/put.json" "$BASE/api/dossiers/$ID")
[ "$code" = 200 ] || { echo "saving the large dossier failed: $code $(head -c 300 "$WORK/put.out")" >&2; exit 1; }
echo "largest dossier: $(wc -c <"$WORK/put.json") bytes of JSON" >&2

# client kind url -> counts of status codes, one per line, in $WORK/kind-N.codes
client() {
  local name=$1 url=$2 end=$(( $(date +%s) + DURATION ))
  while [ "$(date +%s)" -lt "$end" ]; do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Cookie: $COOKIE" --max-time 120 "$url" >>"$WORK/$name.codes" || echo "000 0" >>"$WORK/$name.codes"
  done
}
for i in 1 2 3 4; do client "page-$i" "$BASE/dossiers/$ID" & PIDS+=($!); done
for i in 1 2; do client "pdf-$i" "$BASE/dossiers/$ID/export/pdf" & PIDS+=($!); done
wrk -t1 -c2 -d"${DURATION}s" --latency "$BASE/healthz" >"$WORK/wrk.txt"
for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
PIDS=()
rss_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$SERVER_PID/status")

summary() {
  cat "$WORK"/$1-*.codes | awk -v what="$1" '
    { n[$1]++; t[NR] = $2 }
    END {
      s = ""; for (c in n) s = s sprintf("%s×%d ", c, n[c])
      asort(t); printf "| %s | %s| %.2f s | %.2f s |\n", what, s, t[int(NR*0.5)+1], t[NR]
    }'
}
echo "| clients | answers (status×count) | median | slowest |"
echo "| --- | --- | ---: | ---: |"
summary page
summary pdf
awk '$1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 } /Requests\/sec:/ { rps = $2 }
  END { printf "\n/healthz under that load: p50 %s, p99 %s, %s requests/s (wrk, 2 connections)\n", p50, p99, rps }' "$WORK/wrk.txt"
echo "server peak RSS: $((rss_kb / 1024)) MB; load after: $(cut -d' ' -f1-3 /proc/loadavg)"
