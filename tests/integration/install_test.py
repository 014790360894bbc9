#!/usr/bin/env python3
"""`cmake --install` into a temporary prefix: the binary (which runs and names its version), the
example configuration, the systemd unit pointing at both, the man page (help2man) that
documents every subcommand, and the licence."""
import os
import subprocess
import sys
import tempfile

build = sys.argv[1]
with tempfile.TemporaryDirectory() as prefix:
    subprocess.run(["cmake", "--install", build, "--prefix", prefix], check=True,
                   capture_output=True)
    binary = os.path.join(prefix, "bin", "engaged")
    config = os.path.join(prefix, "etc", "engaged", "engaged.yaml")
    unit = os.path.join(prefix, "lib", "systemd", "system", "engaged.service")
    man = os.path.join(prefix, "share", "man", "man1", "engaged.1")
    licence = os.path.join(prefix, "share", "doc", "engaged", "LICENSE")
    for path in (binary, config, unit, man, licence):
        assert os.path.isfile(path), f"not installed: {path}"
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("engaged "), version.stdout
    text = open(unit).read()
    assert f"ExecStart={binary} run --config {config}\n" in text, text
    assert "StateDirectory=engaged" in text and "Restart=on-failure" in text, text
    page = open(man).read()
    for sub in ("run", "replay", "report", "train", "check-events", "probe", "demo"):
        escaped = sub.replace("-", "\\-")  # roff writes a hyphen as \-
        assert f"\n{escaped}\n" in page, f"man page lacks {sub}"
    assert "Apache License" in open(licence).read()
print("installed: binary, configuration, systemd unit, man page, licence")
