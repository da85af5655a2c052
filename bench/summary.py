#!/usr/bin/env python3
"""bench/results/latest.json: the headline ratios of the last `make bench`, from the result files the
benchmarks wrote in the same run (inference.json, http.json, e2e.json), with the machine they ran on.

  python3 bench/summary.py            # after make bench-inference / bench-http / bench-e2e
"""
import json
import os
import platform
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def load(name):
    path = RESULTS / name
    if not path.exists():
        return None
    return json.loads(path.read_text())


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    inference, http, e2e = load("inference.json"), load("http.json"), load("e2e.json")
    missing = [n for n, d in (("inference.json", inference), ("http.json", http), ("e2e.json", e2e)) if d is None]
    out = {
        "machine": {
            "cpu": cpu_model(),
            "cores": os.cpu_count(),
            "platform": platform.platform(),
            "load_average_now": list(os.getloadavg()),
        },
        "missing": missing,
    }
    if inference:
        r = inference["ratios"]
        out.update({
            "speedup_vs_pytorch": r.get("speedup_vs_pytorch"),
            "speedup_vs_onnxruntime": r.get("speedup_vs_onnxruntime"),
            "time_over_flop_limit": r.get("time_over_flop_limit"),
            "inference_512": {
                "head": inference.get("head"),
                "random_head": inference.get("random_head"),
                "threads": inference.get("threads"),
                "swift_context_s": r.get("swift_context_s"),
                "flop_limit_s": r.get("flop_limit_s"),
                "time_over_executed_flop_limit": r.get("time_over_executed_flop_limit"),
                "time_over_own_gemms": r.get("time_over_own_gemms"),
                "sgemm_peak_gflops": r.get("sgemm_peak_gflops"),
                "cpu_speedup_vs_pytorch": r.get("cpu_speedup_vs_pytorch"),
                "cpu_speedup_vs_onnxruntime": r.get("cpu_speedup_vs_onnxruntime"),
                "load_average": [inference["machine"].get("load_average_at_start"),
                                 inference["machine"].get("load_average_at_end")],
            },
        })
    if http:
        out["http"] = {k: http.get(k) for k in ("speedup_vs_hummingbird_keepalive", "speedup_vs_flyingfox_keepalive",
                                                "keepalive", "close", "command", "machine")}
    if e2e:
        out["e2e"] = {"goals": e2e.get("goals"), "started_utc": e2e.get("started_utc"), "git": e2e.get("git")}
    goals = {}
    if inference:
        goals["inference_at_least_1_5x_pytorch"] = (out["speedup_vs_pytorch"] or 0) >= 1.5
        goals["inference_at_least_1_2x_onnxruntime"] = (out["speedup_vs_onnxruntime"] or 0) >= 1.2
        goals["forward_within_1_5x_flop_limit"] = (out["time_over_flop_limit"] or 99) <= 1.5
    if http:
        goals["httpcore_at_least_hummingbird"] = (http.get("speedup_vs_hummingbird_keepalive") or 0) >= 1.0
    if e2e:
        g = e2e["goals"]
        goals["twelve_mp_under_2_5_s"] = g.get("twelve_mp_under_2_5_s")
        goals["rss_under_1_gib"] = g.get("rss_under_1_gib")
        goals["rerender_at_most_15_percent"] = g.get("rerender_at_most_15_percent")
    out["goals"] = goals
    (RESULTS / "latest.json").write_text(json.dumps(out, indent=2, sort_keys=True) + "\n")

    print(f"\nsummary ({out['machine']['cpu']}, {out['machine']['cores']} cores) -> bench/results/latest.json")
    if inference:
        print(f"  inference 512x512: {out['speedup_vs_pytorch']:.2f}x PyTorch, "
              f"{(out['speedup_vs_onnxruntime'] or float('nan')):.2f}x ONNX Runtime, "
              f"{out['time_over_flop_limit']:.2f}x the FLOP-limit time")
    if http:
        print(f"  HTTP keep-alive: {http['speedup_vs_hummingbird_keepalive']:.2f}x Hummingbird")
    for name, ok in goals.items():
        print(f"  {'PASS' if ok is True else ('FAIL' if ok is False else ok)}  {name}")
    if missing:
        print(f"  missing: {', '.join(missing)}", file=sys.stderr)


if __name__ == "__main__":
    main()
