#!/usr/bin/env python3
"""Dependencies point one way: a folder's sources include only the folders listed for it below.
Fails naming every include that points up (docs/architecture.md, "Layers").

Usage: check_layers.py [repo root]"""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")

# folder -> folders its sources may include (besides itself)
ALLOWED = {
    "domain": set(),
    "state": {"domain"},
    "processors": {"domain", "state"},
    "ingest": {"domain", "processors", "state"},
    "sinks": {"domain", "processors", "state"},
    "app": {"domain", "processors", "state", "ingest", "sinks"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/([^"]+)"', re.M)
bad = []
for folder, allowed in ALLOWED.items():
    for dirpath, _, names in os.walk(os.path.join(ROOT, folder)):
        for name in sorted(names):
            if not name.endswith((".h", ".cc")):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, ROOT)
            for top, rest in INCLUDE.findall(open(path, encoding="utf-8").read()):
                if top == folder or top in allowed:
                    continue
                if top in ALLOWED:
                    bad.append(f"{rel} includes {top}/{rest}: {folder}/ may include only "
                               f"{', '.join(sorted(allowed | {folder}))}")
for line in bad:
    print(line)
sys.exit(1 if bad else 0)
