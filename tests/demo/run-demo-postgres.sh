#!/usr/bin/env bash
# The quick-start demo on PostgreSQL (cmake --build build --target
# demo-postgres): the same workspace, writer and policies as run-demo.sh,
# with every [rows.*] policy and [accounts] on a private PostgreSQL cluster
# (make-demo-postgres.sh). Ctrl-C stops the daemon, the writer and the
# cluster.
#   usage: tests/demo/run-demo-postgres.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(realpath "$1")
src=$(realpath "$2")
"$src/tests/demo/make-demo-postgres.sh" "$build/demo" "$src"
source "$src/tests/pg/pg_cluster.bash"
mkdir -p "$build/demo/logs"
"$build/log_writer" write "$build/demo/logs/app.log" 1 3600 > /dev/null &
writer=$!
trap 'kill $writer 2>/dev/null || true; pg_stop "$build/demo/pg"' EXIT INT TERM
echo "a writer appends 1 MB/s to $build/demo/logs/app.log"
export DEMO_QUOTA_LOG="$build/demo/quota-events.log"
"$build/retentiond" --config "$build/demo/demo-postgres.conf"
