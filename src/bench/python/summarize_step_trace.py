#!/usr/bin/env python3
"""Summarises a Chrome trace of PyTorch's profiler (as io.l0sparsify.bench.StepProfile writes it) per training step.

Prints, per step: the wall time the trace spans, the time inside top-level operators (each one call from Java
into libtorch, or one autograd function during backward) and what is left (Java, JNI crossings and the
allocator outside any operator); then the top-level operators by time, and the operators by self time (their
time minus that of the operators they called).

  python3 src/bench/python/summarize_step_trace.py target/profile/mlp.json --steps 50 [--top 25]
"""
import argparse
import collections
import json


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("trace")
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    with open(args.trace) as f:
        data = json.load(f)
    events = data["traceEvents"] if isinstance(data, dict) else data
    ops = [e for e in events if e.get("ph") == "X" and "dur" in e]
    by_thread = collections.defaultdict(list)
    for e in ops:
        by_thread[e.get("tid")].append(e)
    top_level = collections.defaultdict(lambda: [0, 0.0])
    self_time = collections.defaultdict(lambda: [0, 0.0])
    first, last = float("inf"), 0.0
    inside = 0.0
    for thread_events in by_thread.values():
        thread_events.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack = []  # [event, time of direct children]
        for e in thread_events + [None]:
            while stack and (e is None or e["ts"] >= stack[-1][0]["ts"] + stack[-1][0]["dur"]):
                done, children = stack.pop()
                entry = self_time[done["name"]]
                entry[0] += 1
                entry[1] += done["dur"] - children
            if e is None:
                break
            first, last = min(first, e["ts"]), max(last, e["ts"] + e["dur"])
            if stack:
                stack[-1][1] += e["dur"]
            else:
                entry = top_level[e["name"]]
                entry[0] += 1
                entry[1] += e["dur"]
                inside += e["dur"]
            stack.append([e, 0.0])
    steps = args.steps
    wall = (last - first) / steps
    print("per step: %.3f ms traced, %.3f ms inside %d top-level operators, %.3f ms outside them"
          % (wall / 1000, inside / steps / 1000, sum(c for c, _ in top_level.values()) // steps,
             (wall - inside / steps) / 1000))
    print()
    print("| top-level operator | calls/step | ms/step | share of traced time |")
    print("|---|---:|---:|---:|")
    for name, (count, total) in sorted(top_level.items(), key=lambda kv: -kv[1][1])[:args.top]:
        print("| %s | %.1f | %.3f | %.1f %% |" % (name, count / steps, total / steps / 1000, 100 * total / steps / wall))
    print()
    print("| operator (self time) | calls/step | ms/step |")
    print("|---|---:|---:|")
    for name, (count, total) in sorted(self_time.items(), key=lambda kv: -kv[1][1])[:args.top]:
        print("| %s | %.1f | %.3f |" % (name, count / steps, total / steps / 1000))


if __name__ == "__main__":
    main()
