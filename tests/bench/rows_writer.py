#!/usr/bin/env python3
"""The application side of tests/bench/rows_expiry.sh.

  rows_writer.py DB RATE STOPFILE OUT.json

Inserts one row into DB's table `t` at RATE inserts per second (busy_timeout
1000 ms, autocommit, WAL, synchronous=NORMAL as WAL applications usually
run) until STOPFILE exists, and samples the size of
DB-wal every 5 ms. Latency is measured from each insert's *intended* start
(start + i / RATE), so inserts the writer could not issue while blocked count
as waiting (no coordinated omission). An insert that fails (SQLITE_BUSY after
the busy timeout) is counted and not retried. Writes the summary as JSON.
"""
import json
import os
import sqlite3
import sys
import threading
import time


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    k = min(len(sorted_values) - 1, int(round(p / 100.0 * (len(sorted_values) - 1))))
    return sorted_values[k]


def sample_wal(path, stop, peak):
    while not stop.is_set():
        try:
            peak[0] = max(peak[0], os.path.getsize(path))
        except OSError:
            pass
        time.sleep(0.005)


def main():
    db, rate, stopfile, out = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
    conn = sqlite3.connect(db, timeout=1.0, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 1000")
    conn.execute("PRAGMA synchronous = NORMAL")
    stop, peak = threading.Event(), [0]
    sampler = threading.Thread(target=sample_wal, args=(db + "-wal", stop, peak))
    sampler.start()
    latencies, failed, i = [], 0, 0
    start = time.monotonic()
    while not os.path.exists(stopfile):
        intended = start + i / rate
        i += 1
        delay = intended - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        try:
            conn.execute("INSERT INTO t (ts, payload) VALUES (?, 'app')",
                         (int(time.time()),))
            latencies.append((time.monotonic() - intended) * 1000.0)
        except sqlite3.OperationalError:
            failed += 1
    elapsed = time.monotonic() - start
    stop.set()
    sampler.join()
    latencies.sort()
    json.dump({
        "seconds": elapsed,
        "intended": int(elapsed * rate),
        "completed": len(latencies),
        "failed": failed,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "max_ms": latencies[-1] if latencies else 0.0,
        "over_50ms": sum(1 for x in latencies if x > 50.0),
        "wal_peak_bytes": peak[0],
    }, open(out, "w"))


if __name__ == "__main__":
    main()
