#!/usr/bin/env python3
"""Run a command; print its wall time and peak RSS as one JSON line on stderr.

Usage: measure.py LABEL -- COMMAND ARGS...
Peak RSS is the largest resident set of the command or any child it waited
for (getrusage RUSAGE_CHILDREN), in MiB.
"""
import json
import resource
import subprocess
import sys
import time

label = sys.argv[1]
cmd = sys.argv[sys.argv.index("--") + 1:]
start = time.monotonic()
proc = subprocess.run(cmd)
elapsed = time.monotonic() - start
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"label": label, "seconds": round(elapsed, 3), "peak_rss_mib": round(peak_kib / 1024, 1),
                  "exit": proc.returncode}), file=sys.stderr)
sys.exit(proc.returncode)
