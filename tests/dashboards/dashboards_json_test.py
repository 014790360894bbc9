"""Structure of the Grafana dashboards (dashboards/grafana/*.json), Python standard library only.

Checks, for every dashboard: valid JSON, identical to what dashboards/generate.py writes, current
schemaVersion, unique uid; a `datasource` variable of type datasource (Prometheus) and an
`instance` variable; unique panel ids and non-overlapping grid positions; every panel and every
target uses {"type": "prometheus", "uid": "${datasource}"}; no other datasource uid anywhere (the
built-in Grafana annotation aside), no `${DS_...}` import inputs, no __inputs/__requires; every
expression non-empty, every metric selector filtered by $job and $instance, and every $variable
used is defined.
"""
import glob
import json
import os
import re
import subprocess
import sys

from verdict import verdict

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DS = {"type": "prometheus", "uid": "${datasource}"}
BUILTIN_ANNOTATION_DS = {"type": "grafana", "uid": "-- Grafana --"}
GRAFANA_VARS = {"__rate_interval", "__interval", "__range", "__range_s", "__range_ms",
                "__interval_ms"}
SELECTOR = re.compile(r"\b(engaged_\w+|up)\s*(\{[^}]*\})?")

failures = []


def fail(where, msg):
    failures.append(f"{where}: {msg}")


def walk(node, path=""):
    """Yields (path, key, value) for every dict entry in the JSON tree."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield path, k, v
            yield from walk(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, f"{path}[{i}]")


def all_panels(panels):
    for p in panels:
        yield p
        yield from all_panels(p.get("panels", []))


def check_dashboard(path, uids):
    name = os.path.basename(path)
    try:
        with open(path, encoding="utf-8") as f:
            board = json.load(f)
    except ValueError as e:
        fail(name, f"invalid JSON: {e}")
        return 0
    if board.get("schemaVersion") != 39:
        fail(name, f"schemaVersion {board.get('schemaVersion')}, want 39")
    uid = board.get("uid")
    if not uid or uid in uids:
        fail(name, f"missing or duplicate uid {uid!r}")
    uids.add(uid)
    if "engaged" not in board.get("tags", []):
        fail(name, "not tagged engaged (the dashboards link each other by that tag)")
    for key in ("__inputs", "__requires", "__elements"):
        if key in board:
            fail(name, f"has {key}: export for sharing externally adds import inputs; do not commit that form")

    variables = {v["name"]: v for v in board.get("templating", {}).get("list", [])}
    ds = variables.get("datasource")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        fail(name, "no `datasource` variable of type datasource with query prometheus")
    if "instance" not in variables:
        fail(name, "no `instance` variable")
    for v in variables.values():
        if v["type"] == "query":
            if v.get("datasource") != DS:
                fail(name, f"variable {v['name']} does not use the datasource variable")
            if not str(v.get("query", "")).strip():
                fail(name, f"variable {v['name']} has an empty query")

    # The datasource of every object that has one; ${DS_...} anywhere.
    for where, key, value in walk(board):
        if isinstance(value, str) and "${DS_" in value:
            fail(name, f"{where}/{key} uses an import input: {value}")
        if key == "datasource":
            in_annotations = where.startswith("/annotations")
            if value != DS and not (in_annotations and value == BUILTIN_ANNOTATION_DS):
                fail(name, f"{where} has datasource {value!r}, want {DS}")

    ids, cells, count = set(), {}, 0
    for p in all_panels(board.get("panels", [])):
        pid, title = p.get("id"), p.get("title", "")
        where = f"{name} panel {pid} {title!r}"
        if not isinstance(pid, int) or pid in ids:
            fail(where, "missing or duplicate panel id")
        ids.add(pid)
        g = p.get("gridPos", {})
        if not all(isinstance(g.get(k), int) for k in "hwxy") or g["x"] + g["w"] > 24:
            fail(where, f"bad gridPos {g}")
        else:
            for x in range(g["x"], g["x"] + g["w"]):
                for y in range(g["y"], g["y"] + g["h"]):
                    if (x, y) in cells:
                        fail(where, f"overlaps panel {cells[(x, y)]}")
                        break
                    cells[(x, y)] = pid
                else:
                    continue
                break
        if p.get("type") == "row":
            if p.get("targets"):
                fail(where, "a row with targets")
            continue
        if not title or not p.get("description"):
            fail(where, "a panel needs a title and a description")
        if p.get("datasource") != DS:
            fail(where, f"panel datasource {p.get('datasource')!r}")
        targets = p.get("targets") or []
        if not targets:
            fail(where, "no targets")
        refs = [t.get("refId") for t in targets]
        if len(set(refs)) != len(refs):
            fail(where, f"duplicate refIds {refs}")
        for t in targets:
            count += 1
            check_expr(f"{where} {t.get('refId')}", t, variables)
    return count


def check_expr(where, target, variables):
    if target.get("datasource") != DS:
        fail(where, f"target datasource {target.get('datasource')!r}")
    expr = target.get("expr")
    if not isinstance(expr, str) or not expr.strip():
        fail(where, "empty expression")
        return
    for var in re.findall(r"\$\{?(\w+)", expr):
        if var not in variables and var not in GRAFANA_VARS:
            fail(where, f"uses undefined variable ${var}")
    for mo in SELECTOR.finditer(expr):
        labels = mo.group(2) or ""
        if not labels.startswith('{job=~"$job",instance=~"$instance"'):
            fail(where, f"selector {mo.group(0)} is not filtered by $job and $instance")
    if expr.count("(") != expr.count(")"):
        fail(where, "unbalanced parentheses")


def main():
    paths = sorted(glob.glob(os.path.join(ROOT, "dashboards", "grafana", "*.json")))
    if len(paths) != 4:
        fail("dashboards/grafana", f"{len(paths)} dashboards, want 4")
    uids, targets = set(), 0
    for path in paths:
        targets += check_dashboard(path, uids)
    gen = subprocess.run([sys.executable, os.path.join(ROOT, "dashboards", "generate.py"), "--check"],
                         capture_output=True, text=True)
    if gen.returncode != 0:
        fail("dashboards/generate.py --check", gen.stderr.strip() or gen.stdout.strip())
    return verdict(failures, f"checked {len(paths)} dashboards, {targets} targets")


if __name__ == "__main__":
    sys.exit(main())
