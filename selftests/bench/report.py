#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the benchmark's raw measurements into its report.

Input: raw.jsonl written in L1 by selftests/bench/lib.sh (one JSON object per
measurement, or {"path": P, "na": REASON} for a path that could not run),
params.json (the knobs) and optionally meta.json (commit, date).
Output: a table on stdout (per path and workload: median [min-max] of the
rate, L1 CPU per Gbit or Mpacket, VM exits (all, and those not for HLT)
and guest interrupts per 1000 packets; cdna/vhost-net ratios; for the paths
on the igb ports, each one's ratios against vhost-macvtap-hw and sriov-vfio
and the backend cdna-hw ran on; each target of docs/performance.md met or
not), OUT/bench.json and OUT/bench.png (grouped bars; --no-plot skips it).
Exit status 0 when the report was written; targets never fail it: this is a
benchmark, not a test.
"""

import argparse
import json
import statistics
import sys

CDNA = "cdna"
VHOST = ("vhost-tap", "vhost-macvtap")
BRIDGE = "vhost-tap"  # the Linux-bridge path: the guest<->guest reference
# The paths on the igb ports (the igb L1) and their references.
CDNA_HW = "cdna-hw"
NATIVE_HW = "native-hw"
HW_REFS = ("vhost-macvtap-hw", "sriov-vfio")
HW_PATHS = (NATIVE_HW, "vhost-macvtap-hw", "sriov-vfio", CDNA_HW,
            "cdna-hw-iommu", "cdna-hw-iommu-1use")
METRICS = ("gbps", "mpps", "cpu_s_per_gbit", "cpu_s_per_mpkt",
           "exits_per_kpkt", "busy_exits_per_kpkt", "irqs_per_kpkt",
           "l1_host_cpu_s", "vm_exits", "halt_exits", "packets",
           "nic_packets", "guest_irqs", "bytes", "kicks_per_kpkt",
           "mmio_userspace_exits_per_kpkt")
# AMD SVM exit codes (L1's KVM is kvm_amd), as kvm:kvm_exit's exit_reason.
SVM_EXITS = {96: "intr", 97: "nmi", 100: "vintr", 114: "cpuid",
             119: "pause", 120: "hlt", 123: "io", 124: "msr",
             129: "vmmcall", 1024: "npf", 1025: "avic_ipi",
             1026: "avic_noaccel"}
# KVM_EXIT_* reasons of kvm:kvm_userspace_exit (exits to QEMU).
USER_EXITS = {2: "io", 6: "mmio", 10: "intr", 17: "system_event"}
WORKLOAD_TEXT = {
    "tcp_tx": "TCP guest->peer",
    "tcp_rx": "TCP peer->guest",
    "tcp_g2g": "TCP guest->guest",
}


def workload_text(w):
    if w in WORKLOAD_TEXT:
        return WORKLOAD_TEXT[w]
    if w.startswith("udp"):
        size = "".join(c for c in w if c.isdigit())
        way = {"tx": "guest->peer", "rx": "peer->guest", "g2g": "guest->guest"}
        return "UDP %sB %s" % (size, way.get(w.rsplit("_", 1)[-1], "?"))
    return w


def is_udp(w):
    return w.startswith("udp")


def rate_key(w):
    """The headline rate of a workload: Gb/s for TCP, Mpackets/s for UDP."""
    return "mpps" if is_udp(w) else "gbps"


def cpu_key(w):
    return "cpu_s_per_mpkt" if is_udp(w) else "cpu_s_per_gbit"


def summary(values):
    vals = [v for v in values if v is not None]
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": min(vals),
            "max": max(vals), "n": len(vals)}


def load_raw(path):
    recs = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                recs.append(json.loads(line))
            except json.JSONDecodeError as e:
                print("report: %s:%d: bad JSON (%s)" % (path, n, e),
                      file=sys.stderr)
    return recs


def by_reason(ok):
    """Median per 1000 packets of each exit reason over the measurements."""
    per = {}
    for r in ok:
        pk = r.get("packets") or 0
        if not pk:
            continue
        for key, names, prefix in (("exit_reasons", SVM_EXITS, ""),
                                   ("userspace_exits", USER_EXITS, "uspace:")):
            for code, n in (r.get(key) or {}).items():
                name = prefix + names.get(int(code), "0x%x" % int(code))
                per.setdefault(name, []).append(n * 1000.0 / pk)
    return {k: statistics.median(v) for k, v in per.items()}


def aggregate(recs, paths, workloads):
    """{path: {"status", "reason", "workloads": {w: {...}}}}"""
    out = {}
    for p in paths:
        na = [r["na"] for r in recs if r.get("path") == p and "na" in r]
        entry = {"status": "n/a" if na else "ok",
                 "reason": na[0] if na else None, "workloads": {},
                 # Guests booted afresh after they stopped answering.
                 "restarts": [r.get("reason") for r in recs
                              if r.get("path") == p
                              and r.get("event") == "restart"]}
        for w in workloads:
            rs = [r for r in recs if r.get("path") == p
                  and r.get("workload") == w]
            ok = [r for r in rs if r.get("ok")]
            errors = sorted({r.get("error") for r in rs if not r.get("ok")})
            wl = {"iterations": len(rs), "ok": len(ok), "errors": errors}
            for m in METRICS:
                wl[m] = summary([r.get(m) for r in ok])
            wl["exits_by_reason_per_kpkt"] = by_reason(ok)
            entry["workloads"][w] = wl
        if not na and not any(wl["ok"] for wl in entry["workloads"].values()):
            entry["status"] = "n/a"
            errs = [e for wl in entry["workloads"].values()
                    for e in wl["errors"]]
            entry["reason"] = errs[0] if errs else "no measurement"
        out[p] = entry
    return out


def med(agg, p, w, key):
    """The median of KEY for PATH and WORKLOAD, or None."""
    e = agg.get(p)
    if not e or e["status"] != "ok":
        return None
    s = e["workloads"].get(w, {}).get(key)
    return s["median"] if s else None


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def ratios(agg, workloads):
    """cdna / each vhost path: rate, CPU per unit, exits and irqs per kpkt."""
    out = {}
    for w in workloads:
        out[w] = {}
        for v in VHOST:
            if v not in agg:
                continue
            out[w][v] = {
                "rate": ratio(med(agg, CDNA, w, rate_key(w)),
                              med(agg, v, w, rate_key(w))),
                "cpu": ratio(med(agg, CDNA, w, cpu_key(w)),
                             med(agg, v, w, cpu_key(w))),
                "exits_per_kpkt": ratio(med(agg, CDNA, w, "exits_per_kpkt"),
                                        med(agg, v, w, "exits_per_kpkt")),
                "busy_exits_per_kpkt": ratio(
                    med(agg, CDNA, w, "busy_exits_per_kpkt"),
                    med(agg, v, w, "busy_exits_per_kpkt")),
                "irqs_per_kpkt": ratio(med(agg, CDNA, w, "irqs_per_kpkt"),
                                       med(agg, v, w, "irqs_per_kpkt")),
            }
    return out


def path_ratios(agg, p, ref, w):
    return {
        "rate": ratio(med(agg, p, w, rate_key(w)), med(agg, ref, w, rate_key(w))),
        "cpu": ratio(med(agg, p, w, cpu_key(w)), med(agg, ref, w, cpu_key(w))),
        "exits_per_kpkt": ratio(med(agg, p, w, "exits_per_kpkt"),
                                med(agg, ref, w, "exits_per_kpkt")),
        "busy_exits_per_kpkt": ratio(med(agg, p, w, "busy_exits_per_kpkt"),
                                     med(agg, ref, w, "busy_exits_per_kpkt")),
        "irqs_per_kpkt": ratio(med(agg, p, w, "irqs_per_kpkt"),
                               med(agg, ref, w, "irqs_per_kpkt")),
    }


def hw_ratios(agg, workloads):
    """{workload: {"P / REF": ratios}} for every measured hw path P and each
    hw reference REF (vhost-macvtap-hw, sriov-vfio) in the run; cdna-hw also
    against native-hw (the line rate)."""
    out = {}
    for w in workloads:
        out[w] = {}
        for p in [p for p in HW_PATHS if p in agg]:
            refs = list(HW_REFS) + ([NATIVE_HW] if p == CDNA_HW else [])
            for ref in refs:
                if ref == p or ref not in agg:
                    continue
                out[w]["%s / %s" % (p, ref)] = path_ratios(agg, p, ref, w)
    return out


def backends(recs):
    """{path: backend} from the info records lib.sh writes (cdna paths)."""
    out = {}
    for r in recs:
        info = r.get("info")
        if isinstance(info, dict) and "backend" in info:
            out[r.get("path")] = info["backend"]
    return out


def hw_targets(agg, workloads):
    """The igb targets (docs/performance.md): cdna-hw against native-hw,
    vhost-macvtap-hw and sriov-vfio; [] when cdna-hw was not asked for."""
    if CDNA_HW not in agg:
        return []
    res = []
    tcp = [w for w in workloads if w in ("tcp_tx", "tcp_rx")]

    def add(name, goal, ref, key, test):
        checks = []
        for w in tcp:
            r = ratio(med(agg, CDNA_HW, w, key), med(agg, ref, w, key))
            why = None
            if r is None:
                why = why_na(agg, CDNA_HW) or why_na(agg, ref) or \
                    "no measurement of %s on %s or %s" % (w, CDNA_HW, ref)
            checks.append((w, r, None if r is None else test(r), why))
        vals = [c for c in checks if c[2] is not None]
        if not vals:
            reason = "; ".join(sorted({c[3] for c in checks if c[3]})) \
                or "workload not run"
            res.append({"target": name, "goal": goal, "status": "n/a",
                        "reason": reason, "values": {}})
            return
        status = "met" if all(c[2] for c in vals) else "not met"
        if len(vals) < len(checks):
            status += " (partial)"
        res.append({"target": name, "goal": goal, "status": status,
                    "reason": None, "values": {c[0]: c[1] for c in checks}})

    add("TCP rate cdna-hw / native-hw (the line rate)", ">= 0.9x",
        NATIVE_HW, "gbps", lambda r: r >= 0.9)
    add("TCP rate cdna-hw / vhost-macvtap-hw", ">= 1x",
        "vhost-macvtap-hw", "gbps", lambda r: r >= 1.0)
    add("TCP rate cdna-hw / sriov-vfio", ">= 0.9x",
        "sriov-vfio", "gbps", lambda r: r >= 0.9)
    add("L1 CPU per Gbit cdna-hw / vhost-macvtap-hw", "<= 0.5x",
        "vhost-macvtap-hw", "cpu_s_per_gbit", lambda r: r <= 0.5)
    add("L1 CPU per Gbit cdna-hw / sriov-vfio", "<= 1.2x",
        "sriov-vfio", "cpu_s_per_gbit", lambda r: r <= 1.2)
    return res


def why_na(agg, p):
    e = agg.get(p)
    if e is None:
        return "%s not measured" % p
    if e["status"] != "ok":
        return "%s: %s" % (p, e["reason"])
    return None


def targets(agg, workloads):
    """The targets of docs/performance.md, each met / not met / n/a."""
    res = []

    def add(name, goal, checks):
        # checks: list of (label, value, ok-or-None, reason-if-None)
        vals = [c for c in checks if c[2] is not None]
        if not checks or not vals:
            reason = "; ".join(sorted({c[3] for c in checks if c[3]})) \
                or "workload not run"
            res.append({"target": name, "goal": goal, "status": "n/a",
                        "reason": reason, "values": {}})
            return
        status = "met" if all(c[2] for c in vals) else "not met"
        if len(vals) < len(checks):
            status += " (partial)"
        res.append({"target": name, "goal": goal, "status": status,
                    "reason": None,
                    "values": {c[0]: c[1] for c in checks}})

    vhost = [v for v in VHOST if v in agg]

    def best(w, key, lower):
        vals = [med(agg, v, w, key) for v in vhost]
        vals = [x for x in vals if x is not None]
        if not vals:
            return None
        return min(vals) if lower else max(vals)

    def reason(w, key):
        r = why_na(agg, CDNA)
        if r:
            return r
        if med(agg, CDNA, w, key) is None:
            return "cdna %s: no successful measurement" % w
        return "no vhost-net reference for %s" % w

    tcp = [w for w in workloads if w in ("tcp_tx", "tcp_rx")]
    checks = []
    for w in tcp:
        r = ratio(med(agg, CDNA, w, "gbps"), best(w, "gbps", False))
        checks.append((w, r, None if r is None else r >= 1.5,
                       None if r is not None else reason(w, "gbps")))
    add("TCP throughput cdna / vhost-net (best vhost-net path)", ">= 1.5x",
        checks)

    checks = []
    for w in [w for w in workloads if w.startswith("tcp")]:
        r = ratio(med(agg, CDNA, w, "cpu_s_per_gbit"),
                  best(w, "cpu_s_per_gbit", True))
        checks.append((w, r, None if r is None else r <= 0.5,
                       None if r is not None else reason(w, "cpu_s_per_gbit")))
    add("L1 CPU per Gbit cdna / vhost-net (lowest vhost-net path)", "<= 0.5x",
        checks)

    checks = []
    for w in workloads:
        x = med(agg, CDNA, w, "exits_per_kpkt")
        checks.append((w, x, None if x is None else x <= 1.0,
                       None if x is not None else
                       (why_na(agg, CDNA) or "cdna %s: no measurement" % w)))
    add("VM exits per 1000 packets under load (cdna)", "<= 1", checks)

    checks = []
    for w in workloads:
        x = med(agg, CDNA, w, "mmio_userspace_exits_per_kpkt")
        checks.append((w, x, None if x is None else x == 0,
                       None if x is not None else
                       (why_na(agg, CDNA) or
                        "cdna %s: no exits by reason (tracepoint histogram)" % w)))
    add("MMIO exits to QEMU (doorbells) per 1000 packets under load (cdna)",
        "= 0", checks)

    checks = []
    for w in [w for w in workloads if w.endswith("_g2g")]:
        r = ratio(med(agg, CDNA, w, rate_key(w)), med(agg, BRIDGE, w,
                                                     rate_key(w)))
        checks.append((w, r, None if r is None else r >= 1.5,
                       None if r is not None else
                       (why_na(agg, CDNA) or why_na(agg, BRIDGE)
                        or "no measurement of %s" % w)))
    add("guest<->guest cdna / vhost-net through a bridge (vhost-tap)",
        ">= 1.5x", checks)
    return res


def fmt(x, digits=3):
    if x is None:
        return "-"
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return "%.0f" % x
    return ("%%.%dg" % digits) % x


def fmt_sum(s, scale=1.0):
    if not s:
        return "-"
    return "%s [%s-%s]" % (fmt(s["median"] * scale), fmt(s["min"] * scale),
                           fmt(s["max"] * scale))


def print_table(report, f=sys.stdout):
    agg, work = report["paths"], report["params"]["workloads"]
    meta = report.get("meta") or {}
    par = report["params"]
    print("cdna benchmark: commit %s, %s; %d iteration(s), TCP %d s, UDP %d s;"
          " guests %d MB, %d vCPU; L1 %d vCPUs" % (
              meta.get("commit", "?"), meta.get("started", "?"),
              par.get("iters", 0), par.get("tcp_secs", 0),
              par.get("udp_secs", 0), par.get("guest_mem_mb", 0),
              par.get("guest_cpus", 0), par.get("l1_cpus", 0)), file=f)
    if par.get("cdna_params"):
        print("cdna.ko parameters: %s" % par["cdna_params"], file=f)
    print("median [min-max]; rate: Gb/s (TCP) or Mpackets/s received (UDP);"
          " cpu: L1 host CPU s per Gbit (TCP) or per Mpacket (UDP)", file=f)
    for p, e in agg.items():
        if e["status"] != "ok":
            print("  %-17s n/a (%s)" % (p, e["reason"]), file=f)
        for why in e.get("restarts", []):
            print("  %-17s guests restarted: %s" % (p, why), file=f)
    print("exits: VM exits per 1000 packets, all [min-max] / those not for"
          " HLT (median)", file=f)
    hdr = "%-22s %-17s %-24s %-24s %-26s %-18s" % (
        "workload", "path", "rate", "cpu", "exits/1000 pkts",
        "irqs/1000 pkts")
    print(hdr, file=f)
    print("-" * len(hdr), file=f)
    for w in work:
        for p, e in agg.items():
            if e["status"] != "ok":
                continue
            wl = e["workloads"][w]
            if not wl["ok"]:
                print("%-22s %-17s n/a (%s)" % (
                    workload_text(w), p,
                    "; ".join(x for x in wl["errors"] if x) or "not run"),
                    file=f)
                continue
            busy = wl.get("busy_exits_per_kpkt")
            exits = "%s / %s" % (fmt_sum(wl["exits_per_kpkt"]),
                                 fmt(busy["median"]) if busy else "-")
            print("%-22s %-17s %-24s %-24s %-26s %-18s" % (
                workload_text(w), p, fmt_sum(wl[rate_key(w)]),
                fmt_sum(wl[cpu_key(w)]), exits,
                fmt_sum(wl["irqs_per_kpkt"])), file=f)
    soft = [p for p in agg if p not in HW_PATHS]
    if report.get("backends"):
        print("", file=f)
        print("cdna backends: %s" % ", ".join(
            "%s: %s" % kv for kv in sorted(report["backends"].items())), file=f)
    hwr = report.get("hw_ratios") or {}
    if any(hwr.get(w) for w in work):
        print("", file=f)
        print("ratios on the igb ports (medians; rate > 1 and cpu < 1 favour"
              " the first path)", file=f)
        print("%-22s %-30s %-8s %-8s %-12s %-16s %-12s" % (
            "workload", "path / reference", "rate", "cpu", "exits/kpkt",
            "non-HLT exits", "irqs/kpkt"), file=f)
        for w in work:
            for k, r in hwr.get(w, {}).items():
                print("%-22s %-30s %-8s %-8s %-12s %-16s %-12s" % (
                    workload_text(w), k, fmt(r["rate"]), fmt(r["cpu"]),
                    fmt(r["exits_per_kpkt"]),
                    fmt(r.get("busy_exits_per_kpkt")),
                    fmt(r["irqs_per_kpkt"])), file=f)
    if report.get("hw_targets"):
        print("", file=f)
        print("targets on the igb ports (docs/performance.md)", file=f)
        for t in report["hw_targets"]:
            detail = ", ".join("%s %s" % (k, fmt(v))
                               for k, v in t["values"].items())
            if t["status"] == "n/a":
                detail = "n/a (%s)" % t["reason"]
            print("  %-62s %-9s %-18s %s" % (
                t["target"], t["goal"],
                t["status"].upper() if t["status"] != "n/a" else "-",
                detail), file=f)
    if not soft:
        return
    print("", file=f)
    print("VM exits per 1000 packets by reason (medians; kvm:kvm_exit in L1;"
          " uspace: exits to QEMU), cdna's doorbells (BAR + kick page)"
          " per 1000 packets", file=f)
    for w in work:
        for p, e in agg.items():
            if e["status"] != "ok" or not e["workloads"][w]["ok"]:
                continue
            wl = e["workloads"][w]
            reasons = sorted(wl.get("exits_by_reason_per_kpkt", {}).items(),
                             key=lambda kv: -kv[1])
            kicks = wl.get("kicks_per_kpkt")
            print("%-22s %-17s %s%s" % (
                workload_text(w), p,
                " ".join("%s %s" % (k, fmt(v)) for k, v in reasons
                         if v >= 0.05) or "-",
                "; kicks %s" % fmt(kicks["median"]) if kicks else ""),
                file=f)
    print("", file=f)
    print("ratios cdna / vhost-net (medians; rate > 1 and cpu < 1 favour cdna)",
          file=f)
    cdna_na = why_na(agg, CDNA)
    if cdna_na:
        print("  n/a (%s)" % cdna_na, file=f)
    else:
        print("%-22s %-17s %-8s %-8s %-12s %-16s %-12s" % (
            "workload", "vs", "rate", "cpu", "exits/kpkt",
            "non-HLT exits", "irqs/kpkt"), file=f)
        for w in work:
            for v, r in report["ratios"][w].items():
                print("%-22s %-17s %-8s %-8s %-12s %-16s %-12s" % (
                    workload_text(w), v, fmt(r["rate"]), fmt(r["cpu"]),
                    fmt(r["exits_per_kpkt"]),
                    fmt(r.get("busy_exits_per_kpkt")),
                    fmt(r["irqs_per_kpkt"])), file=f)
    print("", file=f)
    print("targets (docs/performance.md)", file=f)
    for t in report["targets"]:
        detail = ", ".join("%s %s" % (k, fmt(v)) for k, v in t["values"].items())
        if t["status"] == "n/a":
            detail = "n/a (%s)" % t["reason"]
        print("  %-62s %-9s %-18s %s" % (t["target"], t["goal"],
                                         t["status"].upper() if t["status"] != "n/a"
                                         else "-", detail), file=f)


def plot(report, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        print("report: no chart: %s (make deps installs python3-matplotlib;"
              " use /usr/bin/python3)" % e, file=sys.stderr)
        return False
    agg, work = report["paths"], report["params"]["workloads"]
    paths = list(agg)
    groups = [("TCP throughput (Gb/s)", [w for w in work if not is_udp(w)]),
              ("UDP packet rate received (Mpackets/s)",
               [w for w in work if is_udp(w)])]
    groups = [g for g in groups if g[1]]
    fig, axes = plt.subplots(len(groups) + 1, 1,
                             figsize=(11, 4 * len(groups) + 3), squeeze=False)
    width = 0.8 / max(1, len(paths))
    for ax, (title, ws) in zip(axes[:, 0], groups):
        for i, p in enumerate(paths):
            xs, ys, lo, hi = [], [], [], []
            for j, w in enumerate(ws):
                s = None
                if agg[p]["status"] == "ok":
                    s = agg[p]["workloads"][w][rate_key(w)]
                xs.append(j + (i - (len(paths) - 1) / 2) * width)
                m = s["median"] if s else 0
                ys.append(m)
                lo.append(m - s["min"] if s else 0)
                hi.append(s["max"] - m if s else 0)
            label = p if agg[p]["status"] == "ok" else "%s (n/a)" % p
            ax.bar(xs, ys, width, yerr=[lo, hi], capsize=3, label=label)
        ax.set_xticks(range(len(ws)))
        ax.set_xticklabels([workload_text(w) for w in ws])
        ax.set_title(title + ": median, bars min-max")
        ax.legend()
        ax.grid(axis="y", alpha=0.3)
    tax = axes[-1, 0]
    tax.axis("off")
    rows, cells = [], []
    for w in work:
        for v, r in report["ratios"][w].items():
            rows.append("%s / %s" % (workload_text(w), v))
            cells.append([fmt(r["rate"]), fmt(r["cpu"]),
                          fmt(r["exits_per_kpkt"]), fmt(r["irqs_per_kpkt"])])
    if cells and not why_na(agg, CDNA):
        tbl = tax.table(cellText=cells, rowLabels=rows,
                        colLabels=["rate", "CPU/unit", "exits/kpkt",
                                   "irqs/kpkt"], loc="center")
        tbl.auto_set_font_size(False)
        tbl.set_fontsize(8)
        tax.set_title("cdna / vhost-net ratios (medians)")
    else:
        reason = why_na(agg, CDNA) or "no ratios"
        tax.text(0.5, 0.5, "cdna / vhost-net ratios: n/a (%s)" % reason,
                 ha="center", va="center", wrap=True)
    meta = report.get("meta") or {}
    fig.suptitle("cdna vs virtio-net + vhost-net, nested testbed; commit %s, %s"
                 % (meta.get("commit", "?"), meta.get("started", "?")))
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--raw", required=True)
    ap.add_argument("--params", required=True)
    ap.add_argument("--meta")
    ap.add_argument("--out", required=True, help="directory for bench.json/png")
    ap.add_argument("--no-plot", action="store_true")
    a = ap.parse_args()

    with open(a.params) as f:
        params = json.load(f)
    meta = None
    if a.meta:
        try:
            with open(a.meta) as f:
                meta = json.load(f)
        except (OSError, json.JSONDecodeError) as e:
            print("report: no meta data (%s)" % e, file=sys.stderr)
    recs = load_raw(a.raw)
    paths, work = params["paths"], params["workloads"]
    agg = aggregate(recs, paths, work)
    report = {"meta": meta, "params": params, "paths": agg,
              "ratios": ratios(agg, work)}
    report["targets"] = targets(agg, work)
    report["hw_ratios"] = hw_ratios(agg, work)
    report["hw_targets"] = hw_targets(agg, work)
    report["backends"] = backends(recs)
    report["raw"] = recs
    with open("%s/bench.json" % a.out, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    print_table(report)
    if not a.no_plot:
        if plot(report, "%s/bench.png" % a.out):
            print("chart: %s/bench.png" % a.out)
        else:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
