#!/usr/bin/env bash
# Benchmark of `activity-extractor extract`: generates an organization trail
# (BENCH_EVENTS events, about one million by default), then measures on this
# machine, in one run:
#   - a decompress-only pass over the same files (the ceiling), before and
#     after the folder extract: on a shared machine the two differ, and the
#     ratios use their mean;
#   - extract from the folder: events/s, uncompressed MB/s, peak RSS, the
#     ratio of its MB/s to the decompress-only MB/s, and the ratio of the
#     CPU time (user + system) the decompress-only pass took to the CPU time
#     the extract took, which other load on the machine disturbs less;
#   - extract of the same trail from a versitygw S3 server (skipped, with a
#     note, when versitygw is not built: make tools);
#   - a re-run that finds no new object among 10,000 listed ones;
#   - DuckDB (@duckdb/node-api, pinned below, installed with npm into
#     build/bench-cache/ on first use) on the same files: a GROUP BY of the
#     records by principal, event source, event name and resource with
#     count, errors, first and last time, timed against extract in
#     BENCH_ROUNDS interleaved rounds (median of each); then DuckDB's
#     distinct-event counts per group, mapped with the local engine's code,
#     must equal extract's per (principal, action), or the bench fails;
#   - the database's size per million events, after the run and as the
#     snapshot `publish` uploads.
# BENCH_DIR keeps the work folder (default: a temporary one, removed).
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${BENCH_EVENTS:-1000000}
ROUNDS=${BENCH_ROUNDS:-3}
DUCKDB_VERSION=1.5.6-r.1
DUCKDB_DIR=$PWD/build/bench-cache/duckdb-$DUCKDB_VERSION
WORK=${BENCH_DIR:-}
if [ -z "$WORK" ]; then
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK/bin"
WORK=$(cd "$WORK" && pwd)
AE=$WORK/bin/activity-extractor
TOOL=$WORK/bin/benchtool
go build -o "$AE" ./extractor/cmd/activity-extractor
go build -o "$TOOL" ./extractor/internal/benchtool
WORKERS=$(nproc)
ASOF=2026-11-25T00:00:00Z

field() { awk -v k="\"$1\":" '$1 == k { gsub(/,/, "", $2); print $2; exit }' "$2"; }
kv() { awk -v k="$1" '{ for (i = 1; i <= NF; i++) { split($i, f, "="); if (f[1] == k) { print f[2]; exit } } }' "$2"; }

if [ ! -d "$DUCKDB_DIR/node_modules/@duckdb/node-api" ]; then
  command -v npm >/dev/null || { echo "bench: npm is needed to install DuckDB (@duckdb/node-api@$DUCKDB_VERSION): install Node.js" >&2; exit 1; }
  echo "== install @duckdb/node-api@$DUCKDB_VERSION into $DUCKDB_DIR"
  mkdir -p "$DUCKDB_DIR"
  echo '{"private": true}' >"$DUCKDB_DIR/package.json"
  npm install --prefix "$DUCKDB_DIR" --no-audit --no-fund --loglevel=error "@duckdb/node-api@$DUCKDB_VERSION"
fi
cp scripts/bench-duckdb.mjs "$DUCKDB_DIR/"

echo "== generate $EVENTS events"
rm -rf "$WORK/data"
"$AE" generate --out "$WORK/data" --events "$EVENTS" --accounts 4 --users 25 --days 30 --seed 1 --end 2026-11-24

# cpu FILE COMMAND...: runs COMMAND, and writes the CPU seconds (user +
# system) it and its children took to FILE.
cpu() {
  local file=$1 TIMEFORMAT='%U %S'
  shift
  { time "$@" 2>&3; } 3>&2 2>"$file.time"
  awk 'END { printf "%.2f", $1 + $2 }' "$file.time" >"$file"
}

decompress() { # name
  echo "== decompress-only pass ($WORKERS workers)"
  cpu "$WORK/$1.cpu" "$TOOL" decompress --workers "$WORKERS" "$WORK/data/trail" >"$WORK/$1.txt"
  cat "$WORK/$1.txt"
}
decompress decompress1
"$TOOL" duckdb-sql --from 2026-10-20 --to 2026-11-25 --groups "$WORK/groups.csv" "$WORK/data/trail" >"$WORK/duckdb.sql"

report() { # name, summary json, rss output[, cpu seconds]
  local secs events bytes eps mbs rss cpuratio=
  secs=$(field seconds "$2"); events=$(field events "$2"); bytes=$(field uncompressed_bytes "$2")
  rss=$(kv peak_rss_mb "$3")
  if [ -n "${4:-}" ]; then
    cpuratio=" cpu_seconds=$4 cpu_ratio_to_decompress=$(awk -v d="$DCPU" -v e="$4" 'BEGIN { printf "%.2f", d / e }')"
  fi
  eps=$(awk -v e="$events" -v s="$secs" 'BEGIN { printf "%.0f", e / s }')
  mbs=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.1f", b / 1e6 / s }')
  printf '%-8s events=%s seconds=%s events_per_s=%s uncompressed_mb_per_s=%s peak_rss_mb=%s ratio_to_decompress=%s%s\n' \
    "$1" "$events" "$secs" "$eps" "$mbs" "$rss" "$(awk -v a="$mbs" -v b="$DMBS" 'BEGIN { printf "%.2f", a / b }')" "$cpuratio"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Rounds interleave extract and DuckDB, so that other load on a shared
# machine falls on both alike; each prints its median.
: >"$WORK/folder.rounds"; : >"$WORK/duckdb.rounds"
for round in $(seq "$ROUNDS"); do
  echo "== round $round of $ROUNDS: extract from the folder, then DuckDB"
  rm -f "$WORK/folder.db"*
  cpu "$WORK/folder-$round.cpu" "$TOOL" rss "$AE" --db "$WORK/folder.db" extract --source "$WORK/data/trail" --as-of "$ASOF" --json >"$WORK/folder-$round.out"
  sed -n '/^{/,/^}/p' "$WORK/folder-$round.out" >"$WORK/folder-$round.json"
  echo "$(field seconds "$WORK/folder-$round.json") $round" >>"$WORK/folder.rounds"
  echo "extract_seconds=$(awk -v s="$(field seconds "$WORK/folder-$round.json")" 'BEGIN { printf "%.2f", s }') cpu_seconds=$(cat "$WORK/folder-$round.cpu") $(grep peak_rss_mb "$WORK/folder-$round.out")"
  (cd "$DUCKDB_DIR" && "$TOOL" rss node bench-duckdb.mjs "$WORK/duckdb.sql" aggregate) >"$WORK/duckdb-$round.out"
  echo "$(kv duckdb_aggregate_seconds "$WORK/duckdb-$round.out") $round" >>"$WORK/duckdb.rounds"
  cat "$WORK/duckdb-$round.out"
done
MID=$(sort -n "$WORK/folder.rounds" | awk '{ v[NR] = $2 } END { print v[int((NR + 1) / 2)] }')
cp "$WORK/folder-$MID.json" "$WORK/folder.json"; cp "$WORK/folder-$MID.out" "$WORK/folder.out"; cp "$WORK/folder-$MID.cpu" "$WORK/folder.cpu"
EXTRACT_S=$(awk '{ printf "%.2f\n", $1 }' "$WORK/folder.rounds" | median)
DUCK_S=$(awk '{ print $1 }' "$WORK/duckdb.rounds" | median)
EXTRACT_RSS=$(for r in $(seq "$ROUNDS"); do kv peak_rss_mb "$WORK/folder-$r.out"; done | sort -n | tail -1)
DUCK_RSS=$(for r in $(seq "$ROUNDS"); do kv peak_rss_mb "$WORK/duckdb-$r.out"; done | sort -n | tail -1)
decompress decompress2
D1=$(kv decompress_mb_per_s "$WORK/decompress1.txt")
D2=$(kv decompress_mb_per_s "$WORK/decompress2.txt")
DMBS=$(awk -v a="$D1" -v b="$D2" 'BEGIN { printf "%.1f", (a + b) / 2 }')
DCPU=$(awk -v a="$(cat "$WORK/decompress1.cpu")" -v b="$(cat "$WORK/decompress2.cpu")" 'BEGIN { printf "%.2f", (a + b) / 2 }')

echo "== DuckDB's distinct events per group, against extract's counts"
(cd "$DUCKDB_DIR" && node bench-duckdb.mjs "$WORK/duckdb.sql" groups)
"$TOOL" agree "$WORK/folder.db" "$WORK/groups.csv" | tee "$WORK/agree.out"

echo "== database size"
DB_BYTES=$(stat -c %s "$WORK/folder.db")
rm -f "$WORK/snapshot.db"
"$TOOL" snapshot "$WORK/folder.db" "$WORK/snapshot.db"
SNAP_BYTES=$(stat -c %s "$WORK/snapshot.db")
READ_EVENTS=$(field events "$WORK/folder.json")
per_million() { awk -v b="$1" -v e="$READ_EVENTS" 'BEGIN { printf "%.1f", b / 1e6 / (e / 1e6) }'; }
RESULTS=$(report folder "$WORK/folder.json" "$WORK/folder.out" "$(cat "$WORK/folder.cpu")")

VGW=${ACTIVITY_VERSITYGW:-}
[ -n "$VGW" ] || VGW=$(command -v versitygw || true)
[ -n "$VGW" ] || { [ -x .bin/versitygw ] && VGW=.bin/versitygw; } || true
if [ -n "$VGW" ]; then
  echo "== extract from versitygw"
  PORT=$(( 20000 + RANDOM % 20000 ))
  mkdir -p "$WORK/s3root"
  "$VGW" --port "127.0.0.1:$PORT" --access benchkey --secret benchsecret123 --region us-east-1 --quiet posix "$WORK/s3root" &
  VGW_PID=$!
  trap 'kill $VGW_PID 2>/dev/null || true; [ -n "${BENCH_DIR:-}" ] || rm -rf "$WORK"' EXIT
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.05; done
  export AWS_ENDPOINT_URL_S3=http://127.0.0.1:$PORT AWS_ACCESS_KEY_ID=benchkey AWS_SECRET_ACCESS_KEY=benchsecret123 \
    AWS_REGION=us-east-1 AWS_S3_USE_PATH_STYLE=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
  "$TOOL" upload "$WORK/data/trail" bench-trail
  rm -f "$WORK/s3.db"*
  "$TOOL" rss "$AE" --db "$WORK/s3.db" extract --source s3://bench-trail/ --as-of "$ASOF" --json >"$WORK/s3.out"
  sed -n '/^{/,/^}/p' "$WORK/s3.out" >"$WORK/s3.json"
  RESULTS="$RESULTS
$(report s3 "$WORK/s3.json" "$WORK/s3.out")"
else
  RESULTS="$RESULTS
s3       skipped: no versitygw (build it with: make tools)"
fi

echo "== re-run over 10,000 listed objects, none new"
SMALLEST=$(find "$WORK/data/trail" -name '*.json.gz' ! -path '*CloudTrail-Digest*' -printf '%s %p\n' | sort -n | awk 'NR == 1 { print $2 }')
rm -rf "$WORK/fan" "$WORK/fan.db"*
"$TOOL" fanout "$SMALLEST" "$WORK/fan" 10000
"$AE" --db "$WORK/fan.db" extract --source "$WORK/fan" --as-of "$ASOF" --json >/dev/null
"$TOOL" rss "$AE" --db "$WORK/fan.db" extract --source "$WORK/fan" --as-of "$ASOF" --json >"$WORK/fan.out"
RESULTS="$RESULTS
rerun    listed=$(field objects_listed "$WORK/fan.out") read=$(field objects_read "$WORK/fan.out") wall_seconds=$(kv wall_seconds "$WORK/fan.out")"

echo
echo "== results ($(nproc) cores; decompress-only $DMBS MB/s (passes: $D1 and $D2), $DCPU CPU seconds)"
echo "$RESULTS"
echo
printf '%-8s median of %s interleaved rounds: extract %s s, DuckDB %s s, extract/DuckDB time ratio %s; peak RSS extract %s MB, DuckDB %s MB\n' \
  compare "$ROUNDS" "$EXTRACT_S" "$DUCK_S" "$(awk -v a="$EXTRACT_S" -v b="$DUCK_S" 'BEGIN { printf "%.2f", a / b }')" "$EXTRACT_RSS" "$DUCK_RSS"
printf '%-8s %s\n' agree "$(cat "$WORK/agree.out")"
printf '%-8s database %s MB (%s MB per million events), published snapshot %s MB (%s MB per million events)\n' size \
  "$(awk -v b="$DB_BYTES" 'BEGIN { printf "%.1f", b / 1e6 }')" "$(per_million "$DB_BYTES")" \
  "$(awk -v b="$SNAP_BYTES" 'BEGIN { printf "%.1f", b / 1e6 }')" "$(per_million "$SNAP_BYTES")"
