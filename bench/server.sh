#!/usr/bin/env bash
# HTTP throughput of `jixiao serve` with N dossiers stored, on SQLite and PostgreSQL:
# wrk, 64 connections, 2 threads, 30 s per route, against /healthz (the yardstick),
# GET /api/dossiers (the list, default page) and GET /api/dossiers/{id} (random ids).
# Prints a Markdown table: requests/s, p50, p99, errors (non-2xx/3xx + socket errors).
#
# Usage: bench/server.sh [N]   (default 10000)
# Environment: DURATION (30s), CONNECTIONS (64), THREADS (2), PORT (18080),
#   INSTANCES (1; 2 runs a second `jixiao serve` on PORT+1 over the same database and
#   splits the connections between the two: requests/s summed, p50/p99 the worse of the two),
#   BACKENDS ("sqlite postgres"), PG_URL (postgres://$(id -un)@127.0.0.1:5432: a server
#   where that role may create databases; a fresh database is created and dropped),
#   PG_ADMIN_DB (test), QUIET_WAIT (seconds to wait for other builds to finish, 1800),
#   ONLY_STATS (1: measure only the 统计汇总 page, at 1 connection),
#   ONLY_PUBLIC (1: fill with every dossier approved and published, then measure only the
#   public dossier page /public/dossiers/{id}, without login, and the year's open data).
# Needs curl and psql; installs wrk (Debian package) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-18080}
BACKENDS=${BACKENDS:-sqlite postgres}
PG_URL=${PG_URL:-postgres://$(id -un)@127.0.0.1:5432}
PG_ADMIN_DB=${PG_ADMIN_DB:-test}
QUIET_WAIT=${QUIET_WAIT:-1800}
INSTANCES=${INSTANCES:-1}
BASE=http://127.0.0.1:$PORT

command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }; }
cargo build --release -q --bin jixiao --example fill
BIN=target/release/jixiao
FILL=target/release/examples/fill

WORK=$(mktemp -d)
SERVER_PID=
SERVER2_PID=
PG_DB=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ -n "$SERVER2_PID" ]; then kill "$SERVER2_PID" 2>/dev/null || true; wait "$SERVER2_PID" 2>/dev/null || true; fi
  if [ -n "$PG_DB" ]; then psql -q "$PG_URL/$PG_ADMIN_DB" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')

# Other developers build in the same tree: measure only when no compiler runs.
waited=0
while pgrep -x rustc >/dev/null || pgrep -x cargo >/dev/null; do
  if [ "$waited" -ge "$QUIET_WAIT" ]; then echo "warning: builds still running after ${QUIET_WAIT}s; measuring anyway" >&2; break; fi
  sleep 5; waited=$((waited + 5))
done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr)" >&2

# label backend extra-wrk-args... URL -> one table row. With INSTANCES=2 the same run goes
# to both servers at once (the URL's port and the next), half the connections each.
measure() {
  local label=$1 backend=$2; shift 2
  local out="$WORK/wrk-$backend-$(echo "$label" | tr -c 'a-z0-9' '_')"
  if [ "$INSTANCES" = 2 ]; then
    local args=("$@") url=${!#}
    local url2=${url/:$PORT/:$((PORT + 1))}
    wrk -t"$THREADS" -c"$((CONNECTIONS > 1 ? CONNECTIONS / 2 : 1))" -d"$DURATION" --latency "$@" >"$out.1.txt" &
    local w1=$!
    wrk -t"$THREADS" -c"$((CONNECTIONS > 1 ? CONNECTIONS / 2 : 1))" -d"$DURATION" --latency "${args[@]:0:${#args[@]}-1}" "$url2" >"$out.2.txt"
    wait "$w1"
  else
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" >"$out.1.txt"
  fi
  awk -v label="$label" -v backend="$backend" -v loadavg="$(cut -d' ' -f1-3 /proc/loadavg)" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec:/ { rps += $2 }
    $1 == "50%" { if (ms($2) > p50) p50 = ms($2) }
    $1 == "99%" { if (ms($2) > p99) p99 = ms($2) }
    /Socket errors:/ { gsub(",", ""); sock += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { non2xx += $5 }
    / requests in / { total += $1 }
    END {
      errors = sock + non2xx
      printf "| %s | %s | %d | %.2fms | %.2fms | %d | %d | %s |\n", backend, label, rps, p50, p99, errors, total, loadavg
    }' "$out".*.txt
}

echo "| backend | route | requests/s | p50 | p99 | errors | requests | load avg (1/5/15 min) after |"
echo "|---|---|---|---|---|---|---|---|"
for backend in $BACKENDS; do
  case $backend in
    sqlite) DB="$WORK/bench.db" ;;
    postgres)
      PG_DB=jixiao_bench_$$
      psql -q "$PG_URL/$PG_ADMIN_DB" -c "CREATE DATABASE $PG_DB" >/dev/null
      DB="$PG_URL/$PG_DB" ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
  esac
  echo "$backend: load average before filling: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  start=$(date +%s)
  publish=()
  if [ "${ONLY_PUBLIC:-0}" = 1 ]; then publish=(--publish); fi
  echo "$PASSWORD" | "$FILL" --database "$DB" --count "$N" --admin bench-admin "${publish[@]}" >"$WORK/fill-$backend.txt"
  read -r _ FIRST LAST < <(tail -n1 "$WORK/fill-$backend.txt")
  # After a bulk load PostgreSQL needs planner statistics (autovacuum gathers them within a
  # minute when it is on; without them the list joins and sorts all 10,000 rows: 17 ms
  # instead of 0.2 ms per query on the CI machine).
  if [ "$backend" = postgres ]; then psql -q "$DB" -c ANALYZE >/dev/null; fi
  echo "$backend: $(tail -n2 "$WORK/fill-$backend.txt" | head -n1); filled in $(( $(date +%s) - start )) s" >&2

  "$BIN" serve --database "$DB" --bind "127.0.0.1:$PORT" >"$WORK/server-$backend.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
  if [ "$INSTANCES" = 2 ]; then
    "$BIN" serve --database "$DB" --bind "127.0.0.1:$((PORT + 1))" >"$WORK/server2-$backend.log" 2>&1 &
    SERVER2_PID=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$((PORT + 1))/healthz" >/dev/null && break; sleep 0.1; done
  fi
  curl -sf -c "$WORK/jar" -H 'Content-Type: application/json' \
    -d "{\"username\":\"bench-admin\",\"password\":\"$PASSWORD\"}" "$BASE/api/login" >/dev/null
  COOKIE="jixiao_session=$(awk '$6 == "jixiao_session" { print $7 }' "$WORK/jar")"
  total=$(curl -sf -H "Cookie: $COOKIE" "$BASE/api/dossiers" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["total"], len(d["items"]))')
  bytes=$(curl -sf -H "Cookie: $COOKIE" "$BASE/api/dossiers/$FIRST" | wc -c)
  echo "$backend: list total/page = $total; one dossier = $bytes bytes of JSON" >&2

  if [ "${ONLY_PUBLIC:-0}" = 1 ]; then
    page=$(curl -sf "$BASE/public/dossiers/$FIRST" | wc -c)
    echo "$backend: public dossier page = $page bytes of HTML (no login)" >&2
    for conns in 64 1; do
      from=$(wc -l <"$WORK/server-$backend.log")
      JIXIAO_PREFIX=/public/dossiers/ JIXIAO_COOKIE= JIXIAO_FIRST=$FIRST JIXIAO_LAST=$LAST \
        CONNECTIONS=$conns THREADS=$(( conns > 1 ? THREADS : 1 )) \
        measure "GET /public/dossiers/{id} (public page, $conns connections)" "$backend" -s bench/dossier.lua "$BASE"
      tail -n +"$((from + 1))" "$WORK/server-$backend.log" | grep 'path=/public/dossiers/[0-9]' | grep -o 'ms=[0-9]*' | cut -d= -f2 | sort -n |
        awk -v b="$backend" -v c="$conns" '{ a[NR] = $1 } END { if (NR) printf "%s: public page server time at %d connections over %d requests: p50 %d ms, p99 %d ms, max %d ms\n", b, c, NR, a[int(NR*0.5)+1], a[int(NR*0.99)], a[NR] > "/dev/stderr" }'
    done
    for file in targets.csv data.json; do
      t=$(curl -sf -o "$WORK/open-data" -w '%{time_total}' "$BASE/public/data/2025/$file")
      echo "$backend: /public/data/2025/$file: $(wc -c <"$WORK/open-data") bytes in $t s" >&2
    done
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
    errors=$(grep -c 'status=5' "$WORK/server-$backend.log" || true)
    echo "$backend: server logged $errors responses with status 5xx" >&2
    if [ "$backend" = postgres ]; then psql -q "$PG_URL/$PG_ADMIN_DB" -c "DROP DATABASE $PG_DB WITH (FORCE)" >/dev/null; PG_DB=; fi
    continue
  fi

  # 统计汇总 of the last filled year, as an admin sees it (every unit): the first request
  # counts every dossier's findings and indicators (as after an upgrade); then the page at
  # one connection, with the server's own time per page from its log.
  first_stats=$(curl -sf -o /dev/null -w '%{time_total}' -H "Cookie: $COOKIE" "$BASE/stats?year=2025")
  stats_bytes=$(curl -sf -H "Cookie: $COOKIE" "$BASE/stats?year=2025" | wc -c)
  echo "$backend: first 统计汇总 request (counting all $N dossiers) ${first_stats} s; the page is $stats_bytes bytes" >&2
  from=$(wc -l <"$WORK/server-$backend.log")
  CONNECTIONS=1 THREADS=1 measure "GET /stats?year=2025 (统计汇总, 1 connection)" "$backend" -H "Cookie: $COOKIE" "$BASE/stats?year=2025"
  tail -n +"$((from + 1))" "$WORK/server-$backend.log" | grep 'path=/stats' | grep -o 'ms=[0-9]*' | cut -d= -f2 | sort -n |
    awk -v b="$backend" '{ a[NR] = $1 } END { if (NR) printf "%s: 统计汇总 server time over %d requests: p50 %d ms, p99 %d ms, max %d ms\n", b, NR, a[int(NR*0.5)+1], a[int(NR*0.99)], a[NR] > "/dev/stderr" }'
  if [ "${ONLY_STATS:-0}" = 1 ]; then
    # The same page computed afresh on every request (as right after a change): the
    # server again with the answer cache off.
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
    printf '[server]\nstats_cache = 0\n' >"$WORK/nocache.toml"
    "$BIN" serve --database "$DB" --bind "127.0.0.1:$PORT" --config "$WORK/nocache.toml" >"$WORK/server-$backend.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
    curl -sf -c "$WORK/jar" -H 'Content-Type: application/json' \
      -d "{\"username\":\"bench-admin\",\"password\":\"$PASSWORD\"}" "$BASE/api/login" >/dev/null
    COOKIE="jixiao_session=$(awk '$6 == "jixiao_session" { print $7 }' "$WORK/jar")"
    CONNECTIONS=1 THREADS=1 measure "GET /stats?year=2025 (统计汇总 uncached, 1 connection)" "$backend" -H "Cookie: $COOKIE" "$BASE/stats?year=2025"
    grep 'path=/stats' "$WORK/server-$backend.log" | grep -o 'ms=[0-9]*' | cut -d= -f2 | sort -n |
      awk -v b="$backend" '{ a[NR] = $1 } END { if (NR) printf "%s: 统计汇总 uncached server time over %d requests: p50 %d ms, p99 %d ms, max %d ms\n", b, NR, a[int(NR*0.5)+1], a[int(NR*0.99)], a[NR] > "/dev/stderr" }'
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
    if [ "$backend" = postgres ]; then psql -q "$PG_URL/$PG_ADMIN_DB" -c "DROP DATABASE $PG_DB WITH (FORCE)" >/dev/null; PG_DB=; fi
    continue
  fi

  measure "GET /healthz" "$backend" "$BASE/healthz"
  measure "GET /api/dossiers (list, default page)" "$backend" -H "Cookie: $COOKIE" "$BASE/api/dossiers"
  measure "GET /api/dossiers?status=submitted (review queue)" "$backend" -H "Cookie: $COOKIE" "$BASE/api/dossiers?status=submitted"
  measure "GET /api/dossiers?q=石峰 统战 (search)" "$backend" -H "Cookie: $COOKIE" "$BASE/api/dossiers?q=%E7%9F%B3%E5%B3%B0%20%E7%BB%9F%E6%88%98"
  JIXIAO_COOKIE=$COOKIE JIXIAO_FIRST=$FIRST JIXIAO_LAST=$LAST \
    measure "GET /api/dossiers/{id} (random id)" "$backend" -s bench/dossier.lua "$BASE"

  page=$(curl -sf -H "Cookie: $COOKIE" "$BASE/dossiers/$FIRST" | wc -c)
  assets=$(( $(curl -sf "$BASE/static/app.css" | wc -c) + $(curl -sf "$BASE/static/app.js" | wc -c) ))
  echo "$backend: dossier page = $page bytes of HTML; it loads $assets bytes of CSS+JS (app.css + app.js)" >&2
  # The page at 64 connections and at 1; after each, the server's own time per page (it
  # logs ms per request) over the lines that run added to its log.
  for conns in 64 1; do
    from=$(wc -l <"$WORK/server-$backend.log")
    JIXIAO_PREFIX=/dossiers/ JIXIAO_COOKIE=$COOKIE JIXIAO_FIRST=$FIRST JIXIAO_LAST=$LAST \
      CONNECTIONS=$conns THREADS=$(( conns > 1 ? THREADS : 1 )) \
      measure "GET /dossiers/{id} (dossier page, $conns connections)" "$backend" -s bench/dossier.lua "$BASE"
    tail -n +"$((from + 1))" "$WORK/server-$backend.log" | grep 'path=/dossiers/[0-9]' | grep -o 'ms=[0-9]*' | cut -d= -f2 | sort -n |
      awk -v b="$backend" -v c="$conns" '{ a[NR] = $1 } END { if (NR) printf "%s: dossier page server time at %d connections over %d requests: p50 %d ms, p99 %d ms, max %d ms\n", b, c, NR, a[int(NR*0.5)+1], a[int(NR*0.99)], a[NR] > "/dev/stderr" }'
  done

  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
  if [ -n "$SERVER2_PID" ]; then kill "$SERVER2_PID"; wait "$SERVER2_PID" 2>/dev/null || true; SERVER2_PID=; fi
  errors=$(grep -c 'status=5' "$WORK/server-$backend.log" || true)
  echo "$backend: server logged $errors responses with status 5xx" >&2
  if [ "$backend" = postgres ]; then
    psql -q "$PG_URL/$PG_ADMIN_DB" -c "DROP DATABASE $PG_DB WITH (FORCE)" >/dev/null; PG_DB=
  fi
done
