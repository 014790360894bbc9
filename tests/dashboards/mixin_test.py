"""The monitoring mixin (dashboards/mixin), rendered by dashboards/render.sh with jsonnet.

1. The committed rules and alerts (dashboards/prometheus/*.yaml) are the default rendering, byte
   for byte; the committed dashboards (dashboards/generate.py's output) equal the default
   rendering's dashboards as JSON values.
2. A rendering with another selector (job="engaged",namespace="growth") and runbook URL pattern:
   every raw engaged_* series and `up` in every rule carries the selector, every runbook_url uses
   the pattern, and the dashboards' job and instance variables list only selected series.
3. That rendering passes every promtool unit test in dashboards/prometheus/tests once the
   tests' raw input series carry namespace="growth" (and their expected runbook links and
   EngagedAbsent text follow the new settings).
4. It fails the unmodified tests (the selector really filters): the recording rules see no
   series without namespace="growth", and EngagedAbsent fires although up{job="engaged"} is 1.
Needs jsonnet, promtool and python3-yaml (Debian).
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

from verdict import verdict

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DASH = os.path.join(ROOT, "dashboards")
RENDER = os.path.join(DASH, "render.sh")
DEFAULT_RUNBOOK = "https://github.com/engaged/engaged/blob/main/docs/runbooks.md#"
SELECTOR = 'job="engaged",namespace="growth"'
RUNBOOK = "https://runbooks.example.com/engaged/"
RAW = re.compile(r"(?<![:\w])(engaged_\w+|up)(?![:\w])(\{[^}]*\})?")
failures = []


def fail(msg):
    failures.append(msg)


def render(out, config=None):
    cmd = [RENDER] + (["-c", config] if config else []) + [out]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{r.stderr}")


def rules(path):
    with open(path) as f:
        return [r for g in yaml.safe_load(f)["groups"] for r in g["rules"]]


def promtool_test(test_dir, test_file):
    r = subprocess.run(["promtool", "test", "rules", test_file], cwd=test_dir,
                       capture_output=True, text=True)
    return r.returncode == 0, r.stdout + r.stderr


def copy_tests(rendered, dest):
    """The promtool tests in dest/tests, reading the rendering in dest (rule_files: ../*.yaml)."""
    shutil.copytree(os.path.join(DASH, "prometheus", "tests"), os.path.join(dest, "tests"))
    for name in ("engaged-recording-rules.yaml", "engaged-alerts.yaml"):
        shutil.copy(os.path.join(rendered, name), dest)
    return os.path.join(dest, "tests")


def main():
    tmp = tempfile.mkdtemp(prefix="engaged-mixin-")
    try:
        # 1. default rendering = committed files
        default = os.path.join(tmp, "default")
        render(default)
        for name in ("engaged-recording-rules.yaml", "engaged-alerts.yaml"):
            with open(os.path.join(default, name)) as a, \
                 open(os.path.join(DASH, "prometheus", name)) as b:
                if a.read() != b.read():
                    fail(f"dashboards/prometheus/{name} is not the default rendering: "
                         "run dashboards/render.sh --update")
        committed = sorted(glob.glob(os.path.join(DASH, "grafana", "*.json")))
        for path in committed:
            with open(path) as a, open(os.path.join(default, "grafana", os.path.basename(path))) as b:
                if json.load(a) != json.load(b):
                    fail(f"{os.path.basename(path)}: the mixin's default rendering differs")

        # 2. another selector and runbook pattern
        config = os.path.join(tmp, "overrides.libsonnet")
        with open(config, "w") as f:
            f.write("{ _config+:: { engagedSelector: '%s', runbookURLPattern: '%s%%s' } }\n"
                    % (SELECTOR, RUNBOOK))
        custom = os.path.join(tmp, "custom")
        render(custom, config)
        raw_seen = 0
        for name in ("engaged-recording-rules.yaml", "engaged-alerts.yaml"):
            for rule in rules(os.path.join(custom, name)):
                for m in RAW.finditer(rule["expr"]):
                    raw_seen += 1
                    if not (m.group(2) or "").startswith("{" + SELECTOR):
                        fail(f"{rule.get('record') or rule.get('alert')}: {m.group(0)} lacks the selector")
                if "alert" in rule:
                    want = RUNBOOK + rule["alert"].lower()
                    if rule["annotations"]["runbook_url"] != want:
                        fail(f"{rule['alert']}: runbook_url {rule['annotations']['runbook_url']!r}, "
                             f"want {want!r}")
        if raw_seen < 30:
            fail(f"only {raw_seen} raw series in the rules: the check looked at the wrong thing")
        for path in sorted(glob.glob(os.path.join(custom, "grafana", "*.json"))):
            with open(path) as f:
                variables = {v["name"]: v for v in json.load(f)["templating"]["list"]}
            for name in ("job", "instance"):
                if "{" + SELECTOR not in variables[name]["query"]:
                    fail(f"{os.path.basename(path)}: variable {name} query "
                         f"{variables[name]['query']!r} lacks the selector")

        # 3. the unit tests, with raw input series in namespace "growth"
        tests = copy_tests(custom, os.path.join(tmp, "selected"))
        for path in glob.glob(os.path.join(tests, "*_test.yaml")):
            with open(path) as f:
                text = f.read()
            text = re.sub(r"""(series: ['"](?:engaged_\w+|up)\{job="engaged")""",
                          r'\1,namespace="growth"', text)
            text = text.replace("runbook_url: " + DEFAULT_RUNBOOK, "runbook_url: " + RUNBOOK)
            text = text.replace('healthy engaged target (job="engaged")',
                                'healthy engaged target (job="engaged",namespace="growth")')
            with open(path, "w") as f:
                f.write(text)
        test_files = sorted(os.path.basename(p) for p in glob.glob(os.path.join(tests, "*_test.yaml")))
        for test_file in test_files:
            ok, out = promtool_test(tests, test_file)
            if not ok:
                fail(f"{test_file} with selector {SELECTOR}:\n{out[-3000:]}")

        # 4. the unmodified tests must fail where raw series are read
        tests = copy_tests(custom, os.path.join(tmp, "unselected"))
        for test_file in ("recording_rules_test.yaml", "absent_test.yaml", "pipeline_stalled_test.yaml"):
            ok, _ = promtool_test(tests, test_file)
            if ok:
                fail(f"{test_file} passes against series outside the selector: the selector is not applied")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return verdict(failures, f"checked the default rendering and one with {SELECTOR}: "
                             f"{len(test_files)} promtool test files, {raw_seen} raw series")


if __name__ == "__main__":
    sys.exit(main())
