#!/usr/bin/python3
"""Where a training loop spent its time, from a Java Flight Recording's method samples.

Reads the text that `jfr print --events jdk.NativeMethodSample,jdk.ExecutionSample --stack-depth 3 FILE` writes,
puts every sample under its top frame's category, and weighs a native sample by 20 ms and a Java sample by 10 ms
(the sampling periods of JFR's "profile" settings). Frames of loading the dataset are left out.
Usage: summarize_jfr_samples.py SAMPLES.txt [BEFORE.txt]
"""
import collections
import re
import sys

LOADING = ("Inflater", "RandomAccessFile", "UnixFile", "zip", "forkAndExec", "readNBytes", "transferTo")
CATEGORIES = [  # (category, substring of the top frame), first match wins
    ("backward pass (torchBackward)", "torchBackward"),
    ("forward matrix products (torchNNLinear)", "torchNNLinear"),
    ("the engine's fused Adam (adamUpdate)", "adamUpdate"),
    ("forming the minibatch (Examples.copyInto)", "Examples.copyInto"),
    ("forming the minibatch (Examples.copyInto)", "Preprocessing"),
    ("the update on the heap (HostUpdate)", "HostUpdate"),
    ("other libtorch calls", "PyTorchLibrary"),
]


def seconds_by_category(path):
    totals = collections.Counter()
    for event in open(path).read().split("jdk.")[1:]:
        kind = event.split(" ")[0]
        top = re.search(r"stackTrace = \[\s*\n\s*(\S+)", event)
        if not top or any(word in top.group(1) for word in LOADING):
            continue
        frame = top.group(1)
        category = next((name for name, part in CATEGORIES if part in frame), "other Java")
        totals[category] += 0.020 if kind == "NativeMethodSample" else 0.010
    return totals


def main():
    runs = [seconds_by_category(path) for path in sys.argv[1:]]
    names = sorted({name for run in runs for name in run}, key=lambda n: -max(run.get(n, 0) for run in runs))
    for name in names + ["all"]:
        cells = []
        for run in runs:
            total = sum(run.values())
            value = total if name == "all" else run.get(name, 0)
            cells.append(f"{value:.2f} s ({100 * value / total:.0f} %)")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
