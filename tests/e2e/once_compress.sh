#!/usr/bin/env bash
# `retentiond --once` compresses what it rotates before it exits (issue 18):
# a 150 MB log over its cap, with compress = zstd, for both methods. After
# the one run, the archive is a complete .zst holding every byte, no
# uncompressed archive or temporary file is left, and the ledger has the
# rotation and its compression.
source "$(dirname "$0")/lib.bash"

once() {  # once METHOD
  local method=$1 dir=$WORK/$1
  mkdir -p "$dir"/{state,logs}
  cat > "$dir/r.conf" <<CONF
[daemon]
state_dir = state
control_socket = control.sock
[logs.app]
paths = logs/app.log
max_file_size = 100M
keep = 5
compress = zstd
method = $method
$( [ "$method" = reopen ] && echo "reopen_command = /bin/true" )
CONF
  # 150 MB of numbered lines, compressible but not trivially.
  python3 - "$dir/logs/app.log" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(1_600_000):
        f.write(f"{i:09d} GET /item/{i * 7919 % 100003} 200 {i % 977}\n"
                .ljust(94, "x") + "\n")
PY
  local size
  size=$(stat -c %s "$dir/logs/app.log")
  expect_code 0 "$RETENTIOND" --config "$dir/r.conf" --once
  local zst
  zst=$(ls "$dir/logs" | grep -c '^app\.log-.*\.zst$' || true)
  [ "$zst" = 1 ] || { ls -l "$dir/logs"; fail "$method: $zst compressed archives, want 1"; }
  if ls "$dir/logs" | grep -v '\.zst$' | grep -q '^app\.log-\|rtd-tmp'; then
    ls -l "$dir/logs"; fail "$method: an uncompressed archive or a temp is left"
  fi
  # Every byte is in the archive, the fragment of a line the truncate cut
  # carries into the next archive, or still in the live file.
  local archived live carry
  archived=$(zstd -dc "$dir"/logs/app.log-*.zst | wc -c)
  live=$(stat -c %s "$dir/logs/app.log")
  carry=$(stat -c %s "$dir/logs/.app.log.rtd-carry" 2>/dev/null || echo 0)
  [ $((archived + carry + live)) = "$size" ] || fail "$method: $archived + $carry + $live bytes, want $size"
  [ "$(zstd -dc "$dir"/logs/app.log-*.zst | tail -c 1 | od -An -c | tr -d ' ')" = '\n' ] ||
    fail "$method: the archive does not end with a whole line"
  expect_code 0 "$RETENTIONCTL" --config "$dir/r.conf" ledger --json
  grep -q '"action": *"rotate"' "$WORK/out" || { cat "$WORK/out"; fail "$method: no rotate entry"; }
  grep -q '"action": *"compress"' "$WORK/out" || { cat "$WORK/out"; fail "$method: no compress entry"; }
  expect_code 0 "$RETENTIONCTL" --config "$dir/r.conf" verify
  echo "$method: $size bytes, archive $archived bytes compressed, rotate and compress in the ledger"
}

once truncate
once reopen
echo "once_compress: ok"
