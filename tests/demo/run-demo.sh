#!/usr/bin/env bash
# The quick-start demo: generates the workspace in BUILD_DIR/demo, starts a
# writer that appends to demo/logs/app.log at 2 MB/s (so [logs.app] in
# config/demo.conf rotates it every couple of seconds), and runs retentiond
# in the foreground on config/demo.conf. Ctrl-C stops both.
#   usage: tests/demo/run-demo.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
"$src/tests/demo/make-demo-workspace.sh" "$build/demo"
mkdir -p "$build/demo/logs"
"$build/log_writer" write "$build/demo/logs/app.log" 2 3600 > /dev/null &
writer=$!
trap 'kill $writer 2>/dev/null || true' EXIT INT TERM
echo "writer appending to $build/demo/logs/app.log at 2 MB/s (pid $writer)"
export DEMO_QUOTA_LOG="$build/demo/quota-events.log"
echo "quota transitions are logged to $DEMO_QUOTA_LOG"
"$build/retentiond" --config "$src/config/demo.conf"
