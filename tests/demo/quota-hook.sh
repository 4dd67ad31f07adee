#!/bin/sh
# The demo's occupancy hook: appends one line per quota transition to
# $DEMO_QUOTA_LOG (set by run-demo.sh), else to standard error.
line="$(date -u +%FT%TZ) $RETENTIOND_EVENT user=$RETENTIOND_USER bytes=$RETENTIOND_BYTES quota=$RETENTIOND_QUOTA"
if [ -n "${DEMO_QUOTA_LOG:-}" ]; then echo "$line" >> "$DEMO_QUOTA_LOG"; else echo "$line" >&2; fi
