#!/usr/bin/env bash
# Benchmark: archiving a rotated access log in-process (CompressFile through
# the real Filesystem, as the logs executor does) against the tools a
# logrotate setup would run, on the same file in the same run: zstd -3 with
# one thread and with its default threading, and gzip -6. The input is
# generated nginx "combined" lines (client IPs from a pool, paths with ids and
# query strings, weighted status codes, referers, user agents), which
# compress about as well as real access logs. The file is read into the page
# cache before each run, so every run starts from the same place. Each line
# gives input MB (10^6 bytes) per wall-clock second of the whole command and
# per CPU-second (user + sys, all threads; steadier on a busy machine), the
# ratio, and the wall time. CompressFile also fsyncs the archive and its
# directory; the tools write to a file and do not fsync.
# Build first (Release):
#   cmake -S . -B build-rel -G Ninja -DCMAKE_BUILD_TYPE=Release
#   cmake --build build-rel -j2 --target compress_bench
#   usage: tests/bench/compression.sh [BUILD_DIR] [SIZE_MB]
set -euo pipefail
build=${1:-build-rel}
size_mb=${2:-200}
bench="$build/compress_bench"
[ -x "$bench" ] || { echo "no $bench; build the compress_bench target" >&2; exit 1; }
work=$(mktemp -d /tmp/rtd-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

log="$work/access.log"
awk -v bytes=$((size_mb * 1000000)) 'BEGIN {
  srand(42)
  split("GET GET GET GET GET GET POST POST PUT DELETE HEAD", methods, " ")
  split("/ /index.html /login /logout /search /api/v1/items /api/v1/items/ID " \
        "/api/v1/users/ID/orders /static/js/app.ID.js /static/css/main.css " \
        "/img/products/ID.jpg /favicon.ico /robots.txt /health " \
        "/cart/add /checkout/ID/confirm", paths, " ")
  split("200 200 200 200 200 200 200 200 200 304 304 301 302 404 404 401 " \
        "403 499 500 502", codes, " ")
  split("- - - https://www.example.com/ https://www.example.com/search?q=shoes " \
        "https://www.google.com/ https://t.co/abc123 " \
        "https://www.example.com/api/v1/items", referers, " ")
  nua = split("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 " \
    "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36|" \
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 " \
    "(KHTML, like Gecko) Version/17.1 Safari/605.1.15|" \
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0|" \
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 " \
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1|" \
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like " \
    "Gecko) Chrome/120.0.6099.43 Mobile Safari/537.36|" \
    "curl/8.4.0|python-requests/2.31.0|Go-http-client/1.1|" \
    "Googlebot/2.1 (+http://www.google.com/bot.html)|" \
    "Prometheus/2.48.0", uas, "|")
  split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", months, " ")
  for (i = 0; i < 5000; i++) {
    clients[i] = int(rand() * 223 + 1) "." int(rand() * 256) "." \
                 int(rand() * 256) "." int(rand() * 256)
  }
  t = 0; written = 0
  while (written < bytes) {
    t += int(rand() * 3)
    s = t % 60; m = int(t / 60) % 60; h = int(t / 3600) % 24
    d = 1 + int(t / 86400) % 28
    path = paths[int(rand() * 16) + 1]
    k = index(path, "ID")  # not sub(): it is quadratic in mawk
    if (k) path = substr(path, 1, k - 1) int(rand() * 100000) substr(path, k + 2)
    if (rand() < 0.3) path = path "?page=" int(rand() * 50) "&sort=price"
    code = codes[int(rand() * 20) + 1]
    size = (code == 304 || code == 499) ? 0 : int(rand() * rand() * 80000)
    line = sprintf("%s - - [%02d/%s/2026:%02d:%02d:%02d +0000] \"%s %s HTTP/1.1\" %s %d \"%s\" \"%s\" %.3f\n",
      clients[int(rand() * rand() * 5000)], d, months[1], h, m, s,
      methods[int(rand() * 11) + 1], path, code, size,
      referers[int(rand() * 8) + 1], uas[int(rand() * nua) + 1],
      rand() * rand() * 2)
    printf "%s", line
    written += length(line)
  }
}' > "$log"
in_bytes=$(stat -c %s "$log")
lines=$(wc -l < "$log")

warm() { cat "$log" > /dev/null; }
# measure COMMAND...: runs COMMAND < log > $work/stdout with the log in the
# page cache; sets real, cpu (user + sys, all threads) in seconds.
measure() {
  warm
  local TIMEFORMAT='%R %U %S' user sys
  { time "$@" < "$log" > "$work/stdout" 2> "$work/stderr"; } 2> "$work/time" ||
    { cat "$work/stderr" >&2; exit 1; }
  read -r real user sys < "$work/time"
  cpu=$(awk "BEGIN { print $user + $sys }")
}
# report LABEL OUT_BYTES: one line from the last measure.
report() {
  awk -v label="$1" -v real="$real" -v cpu="$cpu" -v in_b="$in_bytes" \
    -v out_b="$2" 'BEGIN {
      printf "%-32s %7.1f MB/s %7.1f MB/cpu-s  ratio %5.2f  %5.2f s\n",
             label, in_b / 1e6 / real, in_b / 1e6 / cpu, in_b / out_b, real }'
}
# tool LABEL COMMAND...: a command-line compressor, stdin to stdout.
tool() {
  local label=$1; shift
  measure "$@"
  report "$label" "$(stat -c %s "$work/stdout")"
}
# ours FORMAT LEVEL SUFFIX: CompressFile via compress_bench; the archive is
# then checked with the format's own tool.
ours() {
  local archive="$log.bench$3"
  measure "$bench" "$1" "$2" "$log"
  report "retentiond CompressFile $1 -$2" "$(stat -c %s "$archive")"
  "$1" -dc "$archive" | cmp -s - "$log" || { echo "$archive differs" >&2; exit 1; }
  rm -f "$archive"
}

echo "input: $in_bytes bytes, $lines access-log lines; $(nproc) CPUs," \
     "load $(cut -d' ' -f1-3 /proc/loadavg)"
ours zstd 3 .zst
tool "zstd -3 -T1" zstd -3 -T1 -q -c
tool "zstd -3 (default threads)" zstd -3 -q -c
ours gzip 6 .gz
tool "gzip -6" gzip -6 -c
