#!/usr/bin/env python3
"""test_scenarios.py - run the fault lab's scenarios and measure pftriage's accuracy.

Usage: test_scenarios.py PFTRIAGE [--only id,...] [--group G] [--list] [-j N]
                         [--save-bundles DIR] [--json-out FILE] [--keep]

For each scenario (labrun.Scenario from scenarios_*.py): set up a real broken
Postfix, run pftriage LIVE on it, `pftriage collect` a bundle of it, run pftriage
on the bundle, and score both reports. One line per scenario, then
  scenarios N; live top-1 X/N top-3 Y/N false alarms F; bundle top-1 ...; K failed
Exit 1 when any scenario misses its target (rank 1 -- all expected causes in the
top 3 for two faults --, live and from the bundle, and no false alarm).
"""
import argparse
import concurrent.futures
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import labrun  # noqa: E402
import pfxlab  # noqa: E402

MODULES = ["scenarios_core", "scenarios_tls_dns_sasl"]


def load_modules():
    import importlib
    for m in MODULES:
        try:
            importlib.import_module(m)
        except ModuleNotFoundError as exc:
            if exc.name != m:
                raise


def fmt_rank(sc):
    if sc.get("error"):
        return "err"
    r = [v for v in sc["ranks"].values()]
    if not r:
        return "ok" if sc["top1"] else "alarm"
    return ",".join("-" if x is None else str(x) for x in r)


def line(res):
    lv, bd = res["live"], res["bundle"]
    fa = sorted(set(lv["false_alarms"]) | set(bd["false_alarms"]))
    status = "ok  " if res["ok"] else "MISS"
    text = (f"{status} {res['id']:<34} live {fmt_rank(lv):<5} bundle {fmt_rank(bd):<5} "
            f"false alarms {len(fa)} {res['seconds']:6.1f}s")
    if fa:
        text += "  [" + " ".join(fa) + "]"
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pftriage", nargs="?", default=os.path.join(pfxlab.REPO, "build", "pftriage"))
    ap.add_argument("--only", default="", help="comma-separated scenario ids")
    ap.add_argument("--group", default="", help="only scenarios of this group (core, tls, dns, sasl, ...)")
    ap.add_argument("--list", action="store_true", help="list scenarios and exit")
    ap.add_argument("-j", type=int, default=4, help="scenarios in parallel (default 4: mostly waiting)")
    ap.add_argument("--save-bundles", metavar="DIR", help="keep each scenario's bundle as DIR/ID")
    ap.add_argument("--json-out", metavar="FILE", default="lab-scenarios.json")
    ap.add_argument("--keep", action="store_true", help="keep temp directories (debugging)")
    args = ap.parse_args()
    pft = os.path.abspath(args.pftriage)

    load_modules()
    selected = labrun.scenarios()
    if args.group:
        selected = [s for s in selected if s.group == args.group]
    if args.only:
        want = [x for x in args.only.split(",") if x]
        unknown = [x for x in want if x not in {s.id for s in selected}]
        if unknown:
            ap.error(f"unknown scenario(s): {' '.join(unknown)}")
        selected = [s for s in selected if s.id in want]
    if args.list:
        for s in selected:
            print(f"{s.id:<34} {s.group:<6} expect {','.join(s.expect) or '(nothing)'}  symptom {s.symptom!r}")
        return 0
    if not selected:
        print("no scenario selected")
        return 1
    if args.save_bundles:
        os.makedirs(args.save_bundles, exist_ok=True)
        args.save_bundles = os.path.abspath(args.save_bundles)

    t0 = time.monotonic()
    # The shared nsd starts in the main thread (pfxlab installs its signal handlers there).
    dns = pfxlab.Dns(zones=labrun.shared_zones(selected)).start()
    results = []
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.j)) as pool:
            futs = [pool.submit(labrun.run_scenario, s, pft, dns, args.save_bundles, args.keep)
                    for s in selected]
            for f in concurrent.futures.as_completed(futs):
                res = f.result()
                results.append(res)
                print(line(res), flush=True)
                if not res["ok"]:
                    for which in ("live", "bundle"):
                        print(f"     {which}: top {' '.join(res[which].get('top', []))}")
                    if res.get("error"):
                        print(f"     error: {res['error']}")
                    for l in res["log"][-15:]:
                        for sub in l.splitlines()[-12:]:
                            print(f"     | {sub}")
    finally:
        if args.keep:
            dns.stop()
        else:
            dns.cleanup()
        pfxlab.stop_all()

    order = {s.id: i for i, s in enumerate(selected)}
    results.sort(key=lambda r: order[r["id"]])
    n = len(results)

    def tally(which):
        t1 = sum(1 for r in results if r[which]["top1"])
        t3 = sum(1 for r in results if r[which]["top3"])
        fa = sum(len(r[which]["false_alarms"]) for r in results)
        return t1, t3, fa
    l1, l3, lf = tally("live")
    b1, b3, bf = tally("bundle")
    failed = [r["id"] for r in results if not r["ok"]]
    wall = time.monotonic() - t0
    summary = (f"scenarios {n}; live top-1 {l1}/{n} top-3 {l3}/{n} false alarms {lf}; "
               f"bundle top-1 {b1}/{n} top-3 {b3}/{n} false alarms {bf}; {len(failed)} failed "
               f"({wall:.0f}s)")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"summary": summary, "scenarios": n,
                       "live": {"top1": l1, "top3": l3, "false_alarms": lf},
                       "bundle": {"top1": b1, "top3": b3, "false_alarms": bf},
                       "failed": failed, "seconds": round(wall, 1), "results": results}, f, indent=1)
    if failed:
        print("failed: " + " ".join(failed))
    print(summary)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
