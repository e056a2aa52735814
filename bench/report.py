#!/usr/bin/python3
"""bench/report.py: turn bench/run.sh's raw measurements into the table.

  report.py --raw RAW.tsv --machine M ... --json-dir DIR --readme README.md
  report.py --compare A.json B.json     how much two runs differ, cell by cell

Raw lines (tab separated):
  ir   LIB CASE base|run IR CAPTURED RECEIVED DROPPED SENT
  cpu  LIB CASE REP NS CAPTURED RECEIVED DROPPED SENT
  identical CASE yes|no
"""
import argparse
import datetime
import json
import os
import statistics
import sys

CASES = [
    ("dispatch", "pfring: dispatch, buffered"),
    ("dispatch-immediate", "pfring: dispatch, immediate"),
    ("tcpdump-w", "pfring: tcpdump -w /dev/null, buffered"),
    ("tcpdump-w-immediate", "pfring: tcpdump -w /dev/null, immediate"),
    ("zc-dispatch", "zc:IF (AF_XDP): dispatch, buffered [stock: plain IF]"),
    ("zc-tcpdump-w", "zc:IF (AF_XDP): tcpdump -w /dev/null, buffered [stock: plain IF]"),
    ("zcq-dispatch", "zc:ID@0 (1-queue cluster): dispatch, buffered [stock: plain IF]"),
    ("zbalance-1q", "zbalance, 1 queue (balancer process, all threads) [no stock]"),
    ("zbalance-2q", "zbalance, 2 queues, per-flow hash [no stock]"),
    ("zbalance-zc-1q", "zbalance -i zc:IF (AF_XDP into the cluster), 1 queue [no stock]"),
    ("zbalance-zc-2q", "zbalance -i zc:IF (AF_XDP into the cluster), 2 queues, per-flow hash [no stock]"),
    ("dispatch-r", "savefile: dispatch -r FILE"),
    ("tcpdump-r-w", "savefile: tcpdump -r FILE -w /dev/null"),
]
# zc devices have no stock counterpart: their "stock" column is stock libpcap
# on the plain interface, the same program (the case named here).
STOCK_FROM = {
    "zc-dispatch": "dispatch",
    "zc-tcpdump-w": "tcpdump-w",
    "zcq-dispatch": "dispatch",
}
LIBS = ("stock", "ours")
BEGIN = "<!-- bench-results:begin (bench/run.sh rewrites this section) -->"
END = "<!-- bench-results:end -->"


def parse_raw(path):
    ir, cpu, identical = {}, {}, {}
    with open(path) as f:
        for line in f:
            t = line.rstrip("\n").split("\t")
            if t[0] == "ir":
                lib, case, kind = t[1], t[2], t[3]
                ir.setdefault((case, lib), {})[kind] = {
                    "instructions": int(t[4]), "captured": int(t[5]),
                    "received": int(t[6]), "dropped": int(t[7]), "sent": int(t[8])}
            elif t[0] == "cpu":
                lib, case = t[1], t[2]
                cpu.setdefault((case, lib), []).append({
                    "rep": int(t[3]), "ns": int(t[4]), "captured": int(t[5]),
                    "received": int(t[6]), "dropped": int(t[7]), "sent": int(t[8])})
            elif t[0] == "identical":
                identical[t[1]] = t[2] == "yes"
    return ir, cpu, identical


def summarize(ir, cpu):
    out = {}
    for case, _ in CASES:
        row = {}
        for lib in LIBS:
            cell = {}
            if lib == "stock" and case in STOCK_FROM:
                ref = out.get(STOCK_FROM[case], {}).get("stock", {})
                cell = {k: v for k, v in ref.items() if k in (
                    "instructions_per_packet", "cpu_ns_per_packet", "drop_fraction")}
                if cell:
                    cell["reference_case"] = STOCK_FROM[case]
                row[lib] = cell
                continue
            r = ir.get((case, lib))
            if r and "run" in r and "base" in r and r["run"]["captured"] > 0:
                cell["instructions_per_packet"] = round(
                    (r["run"]["instructions"] - r["base"]["instructions"]) / r["run"]["captured"], 2)
                cell["callgrind"] = r
            runs = cpu.get((case, lib))
            if runs:
                per = [x["ns"] / x["captured"] for x in runs if x["captured"] > 0]
                if per:
                    cell["cpu_ns_per_packet"] = round(statistics.median(per), 1)
                    cell["cpu_ns_per_packet_runs"] = [round(v, 1) for v in per]
                drops = [x["dropped"] / x["received"] if x["received"] else 0.0 for x in runs]
                cell["drop_fraction"] = round(statistics.median(drops), 5)
                cell["cpu_runs"] = runs
            row[lib] = cell
        for key in ("instructions_per_packet", "cpu_ns_per_packet"):
            s, o = row["stock"].get(key), row["ours"].get(key)
            if s and o is not None:
                row.setdefault("ratio", {})[key] = round(o / s, 3)
        out[case] = row
    return out


def fmt(v, digits=0):
    if v is None:
        return "-"
    return f"{v:.{digits}f}"


def fmt_drop(cell):
    v = cell.get("drop_fraction")
    if v is None:
        return "-"
    return "0" if v == 0 else f"{100 * v:.2f}%"


def table(summary):
    head = ("| case | instr/pkt stock | instr/pkt ours | ours/stock | CPU ns/pkt stock "
            "| CPU ns/pkt ours | ours/stock | drops stock | drops ours |")
    lines = [head, "|" + " --- |" * 9]
    for case, label in CASES:
        row = summary[case]
        s, o, r = row["stock"], row["ours"], row.get("ratio", {})
        lines.append("| " + " | ".join([
            label,
            fmt(s.get("instructions_per_packet"), 1), fmt(o.get("instructions_per_packet"), 1),
            fmt(r.get("instructions_per_packet"), 2),
            fmt(s.get("cpu_ns_per_packet")), fmt(o.get("cpu_ns_per_packet")),
            fmt(r.get("cpu_ns_per_packet"), 2),
            fmt_drop(s), fmt_drop(o)]) + " |")
    return "\n".join(lines)


def targets(summary):
    def ipp(case, lib="ours"):
        return summary[case][lib].get("instructions_per_packet")

    def cpu(case, lib="ours"):
        return summary[case][lib].get("cpu_ns_per_packet")

    res = []

    def check(what, value, limit, unit):
        if value is None:
            res.append(f"- {what}: not measured")
        else:
            ok = "met" if value <= limit else "NOT met"
            res.append(f"- {what}: {value:.{2 if unit == 'x' else 1}f}{unit} (target <= {limit}{unit}): {ok}")

    check("pfring: read path, dispatch buffered", ipp("dispatch"), 25, " instr/pkt")
    check("tcpdump -w, buffered", ipp("tcpdump-w"), 150, " instr/pkt")
    check("zc:<id>@<q> consumer, dispatch buffered", ipp("zcq-dispatch"), 15, " instr/pkt")
    check("zbalance, 1 queue", ipp("zbalance-1q"), 30, " instr/pkt")
    check("zbalance, 2 queues (per-flow hash computed)", ipp("zbalance-2q"), 30, " instr/pkt")
    check("zbalance -i zc:IF, 1 queue", ipp("zbalance-zc-1q"), 30, " instr/pkt")
    check("zbalance -i zc:IF, 2 queues (per-flow hash)", ipp("zbalance-zc-2q"), 30, " instr/pkt")
    for case, base in (("dispatch-immediate", "dispatch"), ("tcpdump-w-immediate", "tcpdump-w")):
        a, b = cpu(case), cpu(base)
        check(f"immediate / buffered CPU ns, {base}", a / b if a and b else None, 2, "x")
    for case, base in (("dispatch-immediate", "dispatch"), ("tcpdump-w-immediate", "tcpdump-w")):
        a, b = cpu(case, "stock"), cpu(base, "stock")
        if a and b:
            res.append(f"- (stock, for reference: immediate / buffered CPU ns, {base}: {a / b:.2f}x)")
    for case, base in (("zc-dispatch", "dispatch"), ("zc-tcpdump-w", "tcpdump-w"),
                       ("zcq-dispatch", "dispatch")):
        a, b = ipp(case), ipp(base)
        if a and b:
            res.append(f"- (for reference: {case} / pfring: {base}, instr/pkt: {a / b:.2f}x)")
    return "\n".join(res)


def render(doc):
    s = doc["settings"]
    parts = [
        f"Measured {doc['date']} on {doc['machine']}; bench/run.sh took {doc['elapsed_s']} s.",
        f"Stock: {doc['stock']}. Ours: {doc['ours']}. tcpdump: {doc['tcpdump']}.",
        f"Settings: {s}.",
        "",
        table(doc["results"]),
        "",
        "Targets (ours):",
        targets(doc["results"]),
        f"- tcpdump -r FILE -w: output byte-identical under both libraries: "
        f"{'yes' if doc['identical'].get('tcpdump-r-w') else 'NO'}",
        "",
        "zc rows: stock libpcap has no zc: devices, so their stock columns (and ratios) are stock",
        "on the plain interface with the same program (rows 1 and 3). zbalance rows: the balancer",
        "process (both threads), its instructions over the packets it took in; its CPU ns is",
        "measured in the zc:ID@0 runs, pinned with the generator on CPU 0.",
    ]
    return "\n".join(parts)


def update_readme(path, text):
    try:
        with open(path) as f:
            old = f.read()
    except FileNotFoundError:
        old = "# Benchmarks\n\n## Latest results\n\n" + BEGIN + "\n" + END + "\n"
    if BEGIN not in old or END not in old:
        old = old.rstrip("\n") + "\n\n## Latest results\n\n" + BEGIN + "\n" + END + "\n"
    head, rest = old.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(path + ".tmp", "w") as f:
        f.write(head + BEGIN + "\n" + text + "\n" + END + tail)
    os.replace(path + ".tmp", path)


# A cell more than this much worse than before is flagged.
REGRESSION = 0.05


def compare(a_path, b_path):
    with open(a_path) as f:
        a = json.load(f)
    with open(b_path) as f:
        b = json.load(f)
    worse = []
    print(f"{a_path} vs {b_path}: relative difference (b - a) / a")
    print(f"{'case':24} {'lib':6} {'instr/pkt a':>12} {'b':>10} {'diff':>8} "
          f"{'CPU ns a':>9} {'b':>7} {'diff':>7}")
    for case, _ in CASES:
        for lib in LIBS:
            if case not in a["results"] or case not in b["results"]:
                continue
            ca, cb = a["results"][case][lib], b["results"][case][lib]
            row = [f"{case:24} {lib:6}"]
            for key, w in (("instructions_per_packet", 10), ("cpu_ns_per_packet", 7)):
                va, vb = ca.get(key), cb.get(key)
                if va is None or vb is None:
                    row.append(f"{'-':>{w + 2}} {'-':>{w}} {'-':>8}")
                else:
                    row.append(f"{va:>{w + 2}.1f} {vb:>{w}.1f} {100 * (vb - va) / va:>+7.2f}%")
                    if vb > va * (1 + REGRESSION):
                        worse.append(f"{case} {lib} {key}")
            print(" ".join(row))
    if worse:
        print(f"worse by more than {100 * REGRESSION:.0f}%: " + "; ".join(worse))
    else:
        print(f"no cell worse by more than {100 * REGRESSION:.0f}%")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw")
    ap.add_argument("--machine", default="?")
    ap.add_argument("--stock", default="?")
    ap.add_argument("--ours", default="?")
    ap.add_argument("--tcpdump", default="?")
    ap.add_argument("--settings", default="")
    ap.add_argument("--elapsed", default="?")
    ap.add_argument("--json-dir")
    ap.add_argument("--readme")
    ap.add_argument("--compare", nargs=2)
    ap.add_argument("--no-save", action="store_true",
                    help="print only: a partial run (BENCH_CASES) must not replace saved results")
    args = ap.parse_args()
    if args.compare:
        compare(*args.compare)
        return 0
    ir, cpu, identical = parse_raw(args.raw)
    now = datetime.datetime.now(datetime.timezone.utc)
    doc = {
        "date": now.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": args.machine,
        "stock": args.stock,
        "ours": args.ours,
        "tcpdump": args.tcpdump,
        "settings": args.settings,
        "elapsed_s": args.elapsed,
        "identical": identical,
        "stock_reference": {c: f"stock has no zc devices: its figures in this row are stock "
                                f"libpcap on the plain interface, case {b}"
                            for c, b in STOCK_FROM.items()},
        "results": summarize(ir, cpu),
    }
    text = render(doc)
    print(text)
    if args.no_save:
        return 0
    if args.json_dir:
        os.makedirs(args.json_dir, exist_ok=True)
        path = os.path.join(args.json_dir, now.strftime("%Y-%m-%dT%H%M%SZ") + ".json")
        with open(path, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        print(f"\nresults: {path}", file=sys.stderr)
    if args.readme:
        update_readme(args.readme, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
