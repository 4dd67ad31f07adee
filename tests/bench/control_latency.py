#!/usr/bin/env python3
"""Round-trip latency of io.retentiond.Manager.Status, idle and during a run.

The client half of tests/bench/control_latency.sh (which builds the tree,
writes the configuration and starts the daemon): Python 3 standard library
only. It waits for the daemon's startup run of POLICY to finish, then

  (a) idle: calls Status for --idle-seconds, alternating a persistent
      connection with connect+call+close (what retentionctl does), then
      times `retentionctl --socket S status` --ctl-runs times, process
      start included;
  (b) run: keeps calling Status the same way while a RunPolicy dry run of
      POLICY, sent on a second connection, is in progress. The run starts
      when RunPolicy is sent and ends when its reply arrives; only samples
      sent and answered inside that window count, and the number whose reply
      itself says the policy is running is printed beside them.

All times are time.perf_counter_ns() (monotonic) in this process.
"""

import argparse
import json
import math
import os
import socket
import subprocess
import sys
import threading
import time

STATUS = b'{"method":"io.retentiond.Manager.Status"}\0'
GOAL_P99_MS = 5.0


def now_ns():
    return time.perf_counter_ns()


def read_reply(sock, buf):
    """Reads up to the NUL; returns (message, rest). buf is bytes left over."""
    while b"\0" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("daemon closed the connection")
        buf += chunk
    msg, _, rest = buf.partition(b"\0")
    return msg, rest


class Connection:
    """One Varlink connection: one call at a time."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b""

    def call_raw(self, framed):
        self.sock.sendall(framed)
        msg, self.buf = read_reply(self.sock, self.buf)
        return msg

    def close(self):
        self.sock.close()


def call_once(path, framed):
    """connect + call + close, as retentionctl does per command."""
    conn = Connection(path)
    try:
        return conn.call_raw(framed)
    finally:
        conn.close()


def parameters(msg):
    reply = json.loads(msg)
    if "error" in reply:
        raise RuntimeError("daemon error: " + msg.decode())
    return reply["parameters"]


def alive(pid):
    """Whether process `pid` exists and is not a zombie (Linux)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def wait_for_startup_run(path, policy, timeout_s, daemon_pid):
    """Until the daemon answers and its scheduled first run of `policy` ended."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if daemon_pid and not alive(daemon_pid):
            sys.exit("control_latency: retentiond (pid %d) exited" % daemon_pid)
        try:
            p = parameters(call_once(path, STATUS))
        except (OSError, ConnectionError):
            time.sleep(0.05)
            continue
        pol = [x for x in p["policies"] if x["id"] == policy]
        if not pol:
            sys.exit("control_latency: no policy %s in Status" % policy)
        if pol[0]["last_run"] is not None and pol[0]["state"] == "idle":
            return pol[0]
        time.sleep(0.1)
    sys.exit("control_latency: the startup run of %s did not finish in %d s"
             % (policy, timeout_s))


class Sampler:
    """Calls Status back to back, alternating a persistent connection and a
    fresh one; keeps (kind, sent_ns, answered_ns, running) per call."""

    def __init__(self, path, interval_s):
        self.path = path
        self.interval_s = interval_s
        self.persistent = Connection(path)
        self.samples = []

    def one(self, fresh):
        t0 = now_ns()
        if fresh:
            msg = call_once(self.path, STATUS)
        else:
            msg = self.persistent.call_raw(STATUS)
        t1 = now_ns()
        running = parameters(msg)["running"]  # parsed outside the timing
        self.samples.append(("fresh" if fresh else "persistent", t0, t1,
                             running))

    def until(self, stop):
        """Samples until stop() is true; returns the samples taken."""
        first = len(self.samples)
        fresh = False
        while not stop():
            self.one(fresh)
            fresh = not fresh
            if self.interval_s > 0:
                time.sleep(self.interval_s)
        return self.samples[first:]


def percentile(sorted_ms, p):
    """Nearest-rank percentile of a sorted, non-empty list."""
    rank = max(1, math.ceil(p / 100.0 * len(sorted_ms)))
    return sorted_ms[rank - 1]


def stats(latencies_ms):
    s = sorted(latencies_ms)
    if not s:
        return None
    return {"n": len(s), "p50": percentile(s, 50), "p95": percentile(s, 95),
            "p99": percentile(s, 99), "max": s[-1]}


def latencies(samples, kind):
    return [(t1 - t0) / 1e6 for k, t0, t1, _ in samples if k == kind]


def print_row(label, st):
    if st is None:
        print("%-44s %7d" % (label, 0))
        return
    print("%-44s %7d %8.3f %8.3f %8.3f %8.3f" % (
        label, st["n"], st["p50"], st["p95"], st["p99"], st["max"]))


def time_retentionctl(ctl, path, runs):
    out = []
    for _ in range(runs):
        t0 = now_ns()
        subprocess.run([ctl, "--socket", path, "status"], check=True,
                       stdout=subprocess.DEVNULL)
        out.append((now_ns() - t0) / 1e6)
    return out


def thread_times(pid):
    """{tid: [cpu_ns, runqueue_wait_ns, voluntary, involuntary]} for every
    thread of `pid`, from /proc (Linux); {} where /proc cannot say."""
    out = {}
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for tid in tids:
        base = "/proc/%d/task/%s/" % (pid, tid)
        try:
            with open(base + "schedstat") as f:
                row = [int(x) for x in f.read().split()[:2]]
            with open(base + "status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt", "nonvoluntary_ctxt")):
                        row.append(int(line.split(":")[1]))
        except (OSError, ValueError):
            continue
        out[int(tid)] = row
    return out


def machine_busy_ns():
    """CPU time all CPUs spent busy since boot, from /proc/stat; 0 if unknown.
    """
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return 0
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) * 1_000_000_000 // os.sysconf(
        "SC_CLK_TCK")


class Threads:
    """Per-thread CPU time, time spent runnable but waiting for a CPU, and
    context switches of the daemon and of this client, between marks."""

    def __init__(self, daemon_pid):
        self.pids = {"retentiond": daemon_pid, "client": os.getpid()}
        self.marks = {}
        self.others_share = 0.0

    def mark(self, name):
        self.marks[name] = (now_ns(), {label: thread_times(pid)
                                       for label, pid in self.pids.items()},
                            machine_busy_ns())

    def print_between(self, first, last):
        (t0, before, busy0), (t1, after, busy1) = (self.marks[first],
                                                   self.marks[last])
        span = max(t1 - t0, 1)
        ours = 0
        print("%-22s %14s %18s %10s %12s" % (
            "thread", "cpu ms (%)", "waiting for CPU", "voluntary",
            "involuntary"))
        for label, pid in self.pids.items():
            for tid in sorted(after[label]):
                if tid not in before[label]:
                    continue
                cpu, wait, vol, invol = (
                    x - y for x, y in zip(after[label][tid],
                                          before[label][tid]))
                ours += cpu
                name = "%s %s" % (label, "main" if tid == pid else tid)
                print("%-22s %8.0f (%3.0f%%) %15.0f ms %10d %12d" % (
                    name, cpu / 1e6, 100.0 * cpu / span, wait / 1e6, vol,
                    invol))
        others = max(busy1 - busy0 - ours, 0)
        self.others_share = others / span  # of one CPU
        print("%-22s %8.0f (%3.0f%%)   (all CPUs busy %.0f of %.0f ms; "
              "%d CPUs, /proc/stat)" % (
                  "other processes", others / 1e6, 100.0 * others / span,
                  (busy1 - busy0) / 1e6, span * os.cpu_count() / 1e6,
                  os.cpu_count()))


def run_policy_in_background(path, policy, threads, result):
    """Sends RunPolicy (dry run) on its own connection; fills `result` with
    the run's start and end (send, reply) and the reply's run object."""
    framed = json.dumps({"method": "io.retentiond.Manager.RunPolicy",
                         "parameters": {"name": policy, "dry_run": True}})
    conn = Connection(path)

    def go():
        try:
            threads.mark("run start")
            result["start"] = now_ns()
            msg = conn.call_raw(framed.encode() + b"\0")
            result["end"] = now_ns()
            threads.mark("run end")
            result["run"] = parameters(msg)["run"]
        except Exception as e:  # reported by the main thread
            result["error"] = e
        finally:
            conn.close()

    t = threading.Thread(target=go)
    t.start()
    return t


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--socket", required=True)
    ap.add_argument("--ctl", required=True, help="the retentionctl binary")
    ap.add_argument("--policy", default="files.big")
    ap.add_argument("--files", type=int, default=0, help="N, for the labels")
    ap.add_argument("--idle-seconds", type=float, default=3.0)
    ap.add_argument("--ctl-runs", type=int, default=40)
    ap.add_argument("--interval-ms", type=float, default=0.0,
                    help="pause between Status calls (0: back to back)")
    ap.add_argument("--daemon-pid", type=int, default=0,
                    help="give up waiting when this process has exited")
    ap.add_argument("--startup-timeout", type=float, default=300.0)
    ap.add_argument("--command", default="",
                    help="the benchmark's command line, for the README row")
    ap.add_argument("--dump", metavar="FILE",
                    help="write every sample and the run window as JSON")
    return ap.parse_args()


def measure(a):
    """Both phases; returns what report() prints."""
    first = wait_for_startup_run(a.socket, a.policy, a.startup_timeout,
                                 a.daemon_pid)
    print("startup run of %s finished: %s" % (a.policy, first["last_result"]))
    sampler = Sampler(a.socket, a.interval_ms / 1000.0)
    threads = Threads(parameters(call_once(a.socket, STATUS))["pid"])

    # (a) idle.
    threads.mark("idle start")
    idle_end = now_ns() + int(a.idle_seconds * 1e9)
    idle = sampler.until(lambda: now_ns() >= idle_end)
    threads.mark("idle end")
    ctl_ms = time_retentionctl(a.ctl, a.socket, a.ctl_runs)

    # (b) during a dry run. Sampling starts first, so the run's first
    # moments are covered, and goes on briefly after its reply.
    result = {}
    lead_end = now_ns() + 200_000_000
    sampler.until(lambda: now_ns() >= lead_end)
    thread = run_policy_in_background(a.socket, a.policy, threads, result)
    sampler.until(lambda: not thread.is_alive())
    tail_end = now_ns() + 200_000_000
    sampler.until(lambda: now_ns() >= tail_end)
    thread.join()
    sampler.persistent.close()
    if "error" in result:
        sys.exit("control_latency: RunPolicy failed: %s" % result["error"])
    start, end = result["start"], result["end"]
    if a.dump:
        with open(a.dump, "w") as f:
            json.dump({"run_start_ns": start, "run_end_ns": end,
                       "samples": sampler.samples}, f)
    inside = [s for s in sampler.samples if s[1] >= start and s[2] <= end]
    return idle, ctl_ms, inside, result, threads


def report(a, idle, ctl_ms, inside, result, threads):
    run = result["run"]
    run_s = (result["end"] - result["start"]) / 1e9
    st = {
        "idle": stats(latencies(idle, "persistent")),
        "idle fresh": stats(latencies(idle, "fresh")),
        "ctl": stats(ctl_ms),
        "run": stats(latencies(inside, "persistent")),
        "run fresh": stats(latencies(inside, "fresh")),
    }
    print()
    print("%-44s %7s %8s %8s %8s %8s" % ("Status round trip (ms)", "calls",
                                         "p50", "p95", "p99", "max"))
    print_row("idle, persistent connection", st["idle"])
    print_row("idle, connect+call+close", st["idle fresh"])
    print_row("idle, `retentionctl status` (whole process)", st["ctl"])
    print_row("during the run, persistent connection", st["run"])
    print_row("during the run, connect+call+close", st["run fresh"])
    print()
    said_running = sum(1 for s in inside if s[3] == a.policy)
    slow = sum(1 for s in inside if s[2] - s[1] > 1_000_000)
    print("run: %s dry run, %.2f s from RunPolicy sent to its reply, "
          "outcome %s, %s in scope, %d planned" % (
              a.policy, run_s, run["outcome"], run["scope"],
              len(run["planned"])))
    print("Status calls sent and answered inside the run: %d; %d of them "
          "replied running=%s; %d took over 1 ms" % (
              len(inside), said_running, a.policy, slow))
    print()
    print("threads, idle phase:")
    threads.print_between("idle start", "idle end")
    print("threads, during the run:")
    threads.print_between("run start", "run end")
    print()
    if threads.others_share > 0.1:
        print("WARNING: other processes used %.0f%% of a CPU during the run; "
              "the figures include their competition" % (
                  100 * threads.others_share))
    if st["run"] is None or st["run"]["n"] < 100:
        print("WARNING: fewer than 100 calls inside the run; use a larger N")
    verdict = {}
    for key in ("run", "run fresh"):
        ok = st[key] is not None and st[key]["p99"] <= GOAL_P99_MS
        verdict[key] = "met" if ok else "NOT met"
    print("goal p99 <= %g ms during the run: %s (persistent connection); "
          "%s (connect+call+close)" % (GOAL_P99_MS, verdict["run"],
                                       verdict["run fresh"]))
    nan = {"p50": math.nan, "p99": math.nan, "max": math.nan}
    r, rf = st["run"] or nan, st["run fresh"] or nan
    files = "{:,}".format(a.files) if a.files else "N"
    print()
    print("README row (Measured):")
    print("| `Status` round trip on the control socket, idle and during a "
          "dry run over %s files (goal: p99 <= %g ms during the run) | `%s` "
          "| idle p50 %.2f ms, p99 %.2f ms; during a %.1f s run (%d calls "
          "inside it) p50 %.2f ms, p99 %.2f ms, max %.1f ms "
          "(connect+call+close p99 %.2f ms; `retentionctl status` process "
          "p50 %.0f ms; other processes used %.0f%% of a CPU meanwhile): "
          "**goal %s** |" % (
              files, GOAL_P99_MS, a.command or "tests/bench/control_latency.sh",
              st["idle"]["p50"], st["idle"]["p99"], run_s, len(inside),
              r["p50"], r["p99"], r["max"], rf["p99"], st["ctl"]["p50"],
              100 * threads.others_share, verdict["run"]))


def main():
    a = parse_args()
    report(a, *measure(a))
    return 0


if __name__ == "__main__":
    sys.exit(main())
