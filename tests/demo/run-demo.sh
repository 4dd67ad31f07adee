#!/usr/bin/env bash
# The quick-start demo: generates the workspace in DEMO_DIR (default
# BUILD_DIR/demo), starts a writer that appends to DEMO_DIR/logs/app.log at
# 1 MB/s (so [logs.app] rotates it every four seconds), and runs retentiond
# in the foreground on CONFIG (default config/demo.conf, whose paths name
# build/demo). Ctrl-C stops both.
#   usage: tests/demo/run-demo.sh BUILD_DIR SOURCE_DIR [DEMO_DIR CONFIG]
set -euo pipefail
build=$1
src=$2
demo=${3:-$build/demo}
config=${4:-$src/config/demo.conf}
"$src/tests/demo/make-demo-workspace.sh" "$demo"
mkdir -p "$demo/logs"
"$build/log_writer" write "$demo/logs/app.log" 1 3600 > /dev/null &
writer=$!
trap 'kill $writer 2>/dev/null || true' EXIT INT TERM
echo "a writer appends 1 MB/s to $demo/logs/app.log"
export DEMO_QUOTA_LOG="$demo/quota-events.log"
echo "quota transitions are logged to $DEMO_QUOTA_LOG"
"$build/retentiond" --config "$config"
