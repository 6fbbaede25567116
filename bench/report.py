#!/usr/bin/env python3
"""Turns the load generator's JSON lines (bench/run.sh) into bench/RESULTS.md.

    report.py [--mode quick|full] RESULTS.jsonl > RESULTS.md

Ranges are min-max over the runs of a scenario; ratios compare medians.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess

SERVERS = ["message", "go-original", "go-hub", "node-ws"]
DESCRIPTION = {
    "message": "`message` (this project; durable history on, `--no-rate-limit` and no per-address connection cap when it has them)",
    "go-original": "the original's design (Go + gorilla; one loop writes to every client in turn)",
    "go-hub": "gorilla's chat example (hub; per-client writer joins queued messages into one frame)",
    "node-ws": "Node.js `ws`",
}


def load(path):
    rows, meta = [], {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                d = json.loads(line)
                if "meta" in d:
                    meta[d["meta"]] = d
                else:
                    rows.append(d)
    return rows, meta


def rate(x):
    if x is None:
        return "–"
    if x >= 1e6:
        return f"{x / 1e6:.2f}M"
    if x >= 1e3:
        return f"{x / 1e3:.0f}k"
    return f"{x:.0f}"


def span(values, fmt):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    lo, hi = min(values), max(values)
    a, b = fmt(lo), fmt(hi)
    return a if a == b else f"{a}–{b}"


def us(x):
    return f"{x:.0f}"


def ms(x):
    return f"{x / 1000:.1f}" if x < 10000 else f"{x / 1000:.0f}"


def kib(x):
    return f"{x / 1024:.1f}"


def capacity(r):
    """Deliveries per second of server CPU: what the server would do with a whole core to itself.
    On a shared machine the server may get less than its core; this figure does not depend on it."""
    ns = r.get("server_cpu_ns_per_delivery")
    return 1e9 / ns if ns else None


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def ok_runs(rows, scenario, server):
    return [r for r in rows if r.get("scenario") == scenario and r.get("server") == server and not r.get("failed")]


def failed_runs(rows, scenario, server):
    return [r for r in rows if r.get("scenario") == scenario and r.get("server") == server and r.get("failed")]


def loss_note(runs):
    lost = [r.get("lost_pct", 0) for r in runs]
    dropped = [r.get("dropped_clients", 0) for r in runs]
    errors = [r.get("errors", 0) for r in runs]
    notes = []
    behind = any(not r.get("drained", True) and not r.get("dropped_clients") for r in runs)
    if any(lost):
        # Not drained and nobody dropped: still on its way when the drain time ran out.
        what = "undelivered at the deadline" if behind else "lost"
        notes.append(f"{span(lost, lambda v: f'{v:.0f}')}% {what}")
    if any(dropped):
        notes.append(f"{span(dropped, lambda v: f'{v:.0f}')} clients dropped")
    if any(errors):
        notes.append(f"{span(errors, lambda v: f'{v:.0f}')} errors")
    if behind:
        notes.append("fell behind")
    return ", ".join(notes)


def cell(text, note):
    return f"{text} ({note})" if note else text


def machine():
    model = "?"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f"{kb / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model}), {mem} RAM, Linux {platform.release()}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="full")
    ap.add_argument("results")
    a = ap.parse_args()
    rows, meta = load(a.results)
    servers = [s for s in SERVERS if any(r.get("server") == s for r in rows)]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    runs_per = max((len(ok_runs(rows, "S2", s)) for s in servers), default=0)

    p = print
    p("# Benchmark results")
    p()
    p(f"Written by `bench/run.sh{' --quick' if a.mode == 'quick' else ''}` on {now}. Machine: {machine()}.")
    p("Server pinned to core 0 (`taskset -c 0`), load generator (`message_loadgen`, one thread) on core 1;")
    p("loopback; 100-byte messages; each server started fresh for each run. deliveries/s = messages received")
    p(f"by all clients per second. Ranges are over {runs_per} run(s) per scenario; runs are noisy, and on a")
    p("shared machine other work on either core shows up as stalls.")
    # Other work: the machine's processor time in each measured window, less the server's and the
    # load generator's (the load average cannot tell: the benchmark's own two processes keep it
    # near 2).
    other = [r["other_cpu_util"] for r in rows if r.get("other_cpu_util") is not None]
    steal = [r["steal_util"] for r in rows if r.get("steal_util") is not None]
    if other:
        shared = median(other) >= 0.1 or max(other) >= 0.5
        p(f"Other work while the runs were measured (the machine's CPU time less the server's and the load "
          f"generator's): median {median(other):.2f}, max {max(other):.2f} of a core"
          + (f"; taken by the hypervisor (steal): max {max(steal):.2f}" if steal and max(steal) > 0 else "")
          + (": other work shared the machine, so rates and latencies are pessimistic." if shared
             else ": the machine was otherwise quiet."))
    elif "start" in meta and "end" in meta:
        p(f"Load average at the start and end of this run: {meta['start']['loadavg']} and {meta['end']['loadavg']} "
          f"on {os.cpu_count()} cores (no per-run measure of other work in these results).")
    p()
    p("S1: 2 clients, each with one message in flight. S2: 100 clients, 10 senders with 8 messages in flight")
    p("each. S3: the same with 1000 clients. S4: 1000 clients, 50 messages/s in total. S5: 10,000 idle")
    p("connections (server RSS growth / connections). Cost: 1000 clients offered 300 messages/s = 300k")
    p("deliveries/s; server CPU time (utime+stime from /proc) per delivery.")
    p()
    p("[per CPU-s] = deliveries per second of server CPU time (1 / CPU per delivery): the rate the server")
    p("would reach with its core to itself. Where another workload shared the machine, the servers got")
    p("only part of core 0 (see 'server CPU' under Every run: 1.00 = a whole core) and the measured")
    p("rates fall short of it; the per-CPU-s figures and the CPU cost do not depend on that share.")
    p()
    p("| server | S1 p50 / p99 | S2 deliveries/s [per CPU-s] | S3 deliveries/s [per CPU-s] | S4 p50 / p99 | S5 per conn | cost: CPU per delivery at 300k/s |")
    p("|---|---|---|---|---|---|---|")
    for s in servers:
        s1, s2, s3, s4, s5, c = (ok_runs(rows, sc, s) for sc in ("S1", "S2", "S3", "S4", "S5", "C300"))
        cols = [
            cell(f"{span([r['p50_us'] for r in s1], us)} / {span([r['p99_us'] for r in s1], us)} µs", loss_note(s1))
            if s1 else "–",
            cell(span([r["deliveries_per_s"] for r in s2], rate) + f" [{span([capacity(r) for r in s2], rate)}]",
                 loss_note(s2)) if s2 else "–",
            cell(span([r["deliveries_per_s"] for r in s3], rate) + f" [{span([capacity(r) for r in s3], rate)}]",
                 loss_note(s3)) if s3 else "–",
            cell(f"{span([r['p50_us'] for r in s4], ms)} / {span([r['p99_us'] for r in s4], ms)} ms", loss_note(s4))
            if s4 else "–",
            cell(span([r.get("server_rss_bytes_per_conn") for r in s5], kib) + " KiB",
                 "" if all(r["connected"] == r["clients"] for r in s5)
                 else f"{min(r['connected'] for r in s5)} of {s5[0]['clients']} connected")
            if s5 else "–",
            cell(span([r.get("server_cpu_ns_per_delivery") for r in c], lambda v: f"{v / 1000:.2f}") + " µs",
                 ("at " + span([r["deliveries_per_s"] for r in c], rate) + "/s")
                 if any(r["deliveries_per_s"] < 0.9 * 300 * r["connected"] for r in c) else loss_note(c))
            if c else "–",
        ]
        fails = sum(len(failed_runs(rows, sc, s)) for sc in ("S1", "S2", "S3", "S4", "S5", "C300"))
        name = DESCRIPTION.get(s, s) + (f" ({fails} run(s) failed)" if fails else "")
        p(f"| {name} | " + " | ".join(cols) + " |")
    p()

    s2r = ok_runs(rows, "S2R", "message")
    if s2r:
        s2 = ok_runs(rows, "S2", "message")
        ratio = median([r["deliveries_per_s"] for r in s2r]) / median([r["deliveries_per_s"] for r in s2]) if s2 else float("nan")
        # Older result files have no rows_per_s: a run without change events moves messages only.
        rows_of = lambda r: r.get("rows_per_s", r["deliveries_per_s"])
        row_ratio = median([rows_of(r) for r in s2r]) / median([rows_of(r) for r in s2]) if s2 else float("nan")
        p("S2R (issue 30): S2 with one reaction per five messages, identified senders: "
          + span([rows_of(r) for r in s2r], rate) + " deliveries/s of rows (messages and reactions), "
          + f"{row_ratio:.2f} of plain S2's median in this run (goal: within 10%); "
          + span([r["deliveries_per_s"] for r in s2r], rate) + f" of messages alone ({ratio:.2f}).")
        p()

    s2n = ok_runs(rows, "S2N", "message")
    if s2n:
        s2 = ok_runs(rows, "S2", "message")
        ratio = median([r["deliveries_per_s"] for r in s2]) / median([r["deliveries_per_s"] for r in s2n]) if s2 else float("nan")
        p("S2N (issue 29): S2 with the server's --no-search: "
          + span([r["deliveries_per_s"] for r in s2n], rate) + " deliveries/s; S2 with the index is "
          + f"{ratio:.2f} of it in this run (goal: within 10%).")
        p()

    if "message" in servers:
        p("## Goals (issue 4), measured side by side in this run")
        p()
        p("Throughput goals are judged on deliveries per server CPU-second where the servers were measured")
        p("with their CPU time (robust to a shared machine), else on deliveries/s; medians over the runs.")
        p()
        p("| goal | measured | met |")
        p("|---|---|---|")

        def med(sc, s, key):
            return median([r.get(key) for r in ok_runs(rows, sc, s)])

        def goal(text, measured, met):
            p(f"| {text} | {measured} | {'yes' if met else ('no' if met is not None else '?')} |")

        for sc in ("S2", "S3"):
            m, h = med(sc, "message", "deliveries_per_s"), med(sc, "go-hub", "deliveries_per_s")
            mr = ok_runs(rows, sc, "message")
            clean = bool(mr) and all(r["lost"] == 0 and r["dropped_clients"] == 0 and r["errors"] == 0 for r in mr)
            mc = median([capacity(r) for r in ok_runs(rows, sc, "message")])
            hc = median([capacity(r) for r in ok_runs(rows, sc, "go-hub")])
            if m is not None and h:
                cap = f"; per CPU-s {rate(mc)} vs {rate(hc)}: **{mc / hc:.2f}×**" if mc and hc else ""
                goal(f"{sc}: ≥ 2× gorilla hub's deliveries/s, nothing lost or dropped",
                     f"{rate(m)} vs {rate(h)}: **{m / h:.2f}×**{cap}; " + ("lossless" if clean else loss_note(mr)),
                     (mc / hc >= 2 if mc and hc else m >= 2 * h) and clean)
            elif m is not None:
                goal(f"{sc}: ≥ 2× gorilla hub's deliveries/s", rate(m), None)
        m, h = med("C300", "message", "server_cpu_ns_per_delivery"), med("C300", "go-hub", "server_cpu_ns_per_delivery")
        if m is not None and h:
            goal("cost at 300k deliveries/s ≤ ¼ of gorilla hub's CPU per delivery",
                 f"{m:.0f} vs {h:.0f} ns: **{m / h:.2f}×**", m <= h / 4)
        peers = [s for s in servers if s != "message"]
        for key, label in (("p50_us", "p50"), ("p99_us", "p99")):
            m = med("S1", "message", key)
            best = min((v for v in (med("S1", s, key) for s in peers) if v is not None), default=None)
            if m is not None and best is not None:
                goal(f"S1 {label} no worse than the best peer's", f"{m:.0f} vs {best:.0f} µs", m <= best)
        m = med("S4", "message", "p99_us")
        if m is not None:
            goal("S4 p99 under 10 ms", f"{m / 1000:.1f} ms", m < 10000)
        m = med("S5", "message", "server_rss_bytes_per_conn")
        if m is not None:
            goal("S5 at most 2 KiB per idle connection", f"{m / 1024:.2f} KiB", m <= 2048)
        big = ok_runs(rows, "S5-big", "message")
        if big:
            r = big[-1]
            held = r["connected"] == r["clients"] and r["connect_failures"] == 0
            goal("50,000 concurrent connections held",
                 f"{r['connected']} of {r['clients']} open in {r['connect_s']:.1f} s; "
                 f"{(r.get('server_rss_bytes_per_conn') or 0) / 1024:.2f} KiB each"
                 + ("" if r["clients"] >= 50000 else
                    f" (only {r['clients']} tried: the open-file hard limit here is below 50,000)"),
                 (r["clients"] >= 50000 or None) if held else False)
        p()

    scale = sorted({int(r["scenario"].split("-")[1]) for r in rows if r.get("scenario", "").startswith("scale-")})
    if scale:
        p("## Scaling: 10 senders × 8 in flight, N clients")
        p()
        p("deliveries/s, and server CPU per delivery, one run each (3 s measured).")
        columns = list(servers)
        headers = list(servers)
        if any(r.get("server") == "message-2t" for r in rows):
            columns.append("message-2t")
            headers.append("message, `--threads 2`")
            cores = meta.get("two_threads", {}).get("cores", "")
            p(f"The last column runs `message` with two I/O threads ({cores}).")
        p()
        p("| clients | " + " | ".join(headers) + " |")
        p("|---|" + "---|" * len(columns))
        for n in scale:
            cells = []
            for s in columns:
                rs = ok_runs(rows, f"scale-{n}", s)
                if not rs:
                    cells.append("–")
                    continue
                r = rs[-1]
                note = loss_note([r])
                cells.append(f"{rate(r['deliveries_per_s'])}/s, "
                             f"{(r.get('server_cpu_ns_per_delivery') or 0) / 1000:.2f} µs" + (f" ({note})" if note else ""))
            p(f"| {n} | " + " | ".join(cells) + " |")
        p()

    p("## Every run")
    p()
    p("| scenario | server | clients | deliveries/s | p50 µs | p99 µs | max µs | lost | dropped | errors | lines/frame | server CPU | CPU/delivery | loadgen CPU | other CPU |")
    p("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r.get("failed"):
            p(f"| {r['scenario']} | {r['server']} | failed: no result line | | | | | | | | | | | | |")
            continue
        extra = ""
        if r.get("server_rss_bytes_per_conn") is not None:
            extra = f" ({r['server_rss_bytes_per_conn'] / 1024:.2f} KiB/conn)"
        p(f"| {r['scenario']} | {r['server']} | {r['connected']}/{r['clients']}{extra} | {rate(r['deliveries_per_s'])} | "
          f"{r['p50_us']:.0f} | {r['p99_us']:.0f} | {r['max_us']:.0f} | {r['lost']} | {r['dropped_clients']} | "
          f"{r['errors']} | {r.get('lines_per_frame', 0):.1f} | {r.get('server_cpu_util', 0):.2f} | {(r.get('server_cpu_ns_per_delivery') or 0):.0f} ns | "
          f"{r.get('loadgen_cpu_util', 0):.2f} | "
          + (f"{r['other_cpu_util']:.2f} |" if r.get("other_cpu_util") is not None else "|"))
    p()
    p("Reproduce: `make bench` (or `bench/run.sh`, `bench/run.sh --quick`); raw JSON lines in `bench/out/`.")


if __name__ == "__main__":
    main()
