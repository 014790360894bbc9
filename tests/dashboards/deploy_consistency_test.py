"""The container build and the compose stack agree with the repository and the binary.

No Docker engine runs here, so this test checks statically what `docker build` and
`docker compose up` would need:
- every file or folder the compose file mounts, and its build context and Dockerfile, exist;
- every COPY source of docker/Dockerfile exists, and the copied folders hold every source file
  the top-level CMakeLists.txt compiles; the build stage runs scripts/install-deps.sh;
- the runtime stage installs the Debian package of every shared library `ldd engaged` lists
  (libc6 and libgcc-s1 are in every Debian image) and no other library package, and each
  package it names exists in the configured Debian archive (when apt lists are present);
- ports: engaged's metrics port (binary default, config/engaged.yaml, Dockerfile ENV and EXPOSE,
  compose, prometheus.yml), Kafka's port (binary default, config, compose), Prometheus's and
  Alertmanager's (Grafana data source, prometheus.yml alerting);
- topics: every topic setting of the binary (`engaged config`) is created by kafka-init, and the
  load generator produces to input.topic; config/engaged.yaml and the binary's defaults
  (`engaged config --markdown`) name the same topics;
- Grafana's dashboard provider reads the folder where compose mounts dashboards/grafana;
- `promtool check config` passes on prometheus.yml with the mounts laid out as in the
  container (so the rule files load), and `amtool check-config` on alertmanager.yml.
Usage: deploy_consistency_test.py path/to/engaged. Needs python3-yaml.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

from verdict import verdict

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DOCKER = os.path.join(ROOT, "docker")
BASE_IMAGE_PACKAGES = {"libc6", "libgcc-s1"}
# Installed for what the binary reads, not links: CA certificates (SSL), zone files (timezone).
NON_LIBRARY_PACKAGES = {"ca-certificates", "tzdata"}
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
    return cond


def port_of(address):
    return int(address.rsplit(":", 1)[1])


def settings(engaged, *args):
    out = subprocess.run([engaged, "config", *args], capture_output=True, text=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def markdown_defaults(engaged):
    out = subprocess.run([engaged, "config", "--markdown"], capture_output=True, text=True, check=True).stdout
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells[1].strip("`")
    return rows


def markdown_descriptions(engaged):
    out = subprocess.run([engaged, "config", "--markdown"], capture_output=True, text=True, check=True).stdout
    return {c[0].strip("` "): c[-1].strip() for c in
            ([x for x in line.strip().strip("|").split("|")] for line in out.splitlines())
            if len(c) >= 4 and c[0].strip().startswith("`")}


def dockerfile_stages(path):
    """[(stage name, [(instruction, args)])], continuation lines joined."""
    stages, text = [], open(path).read()
    text = re.sub(r"\\\n", " ", text)
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instr, _, args = line.partition(" ")
        instr = instr.upper()
        if instr == "FROM":
            mo = re.search(r"\bAS\s+(\S+)", args, re.I)
            stages.append((mo.group(1) if mo else f"stage{len(stages)}", args.split()[0], []))
        elif stages:
            stages[-1][2].append((instr, args.strip()))
    return stages


def runtime_packages_needed(engaged):
    ldd = subprocess.run(["ldd", engaged], capture_output=True, text=True, check=True).stdout
    libs = [os.path.realpath(mo.group(1)) for mo in re.finditer(r"=>\s*(/\S+)", ldd)]
    # One dpkg -S for all (each call reads the whole database); merged /usr: try /lib too.
    paths = sorted({p for lib in libs for p in (lib, lib.replace("/usr/lib/", "/lib/", 1))})
    out = subprocess.run(["dpkg", "-S", *paths], capture_output=True, text=True).stdout
    owner = {}
    for line in out.splitlines():
        pkgs, _, path = line.partition(": ")
        owner[path.strip()] = pkgs.split(",")[0].split(":")[0].strip()
    needed = {}
    for lib in libs:
        pkg = owner.get(lib) or owner.get(lib.replace("/usr/lib/", "/lib/", 1))
        if check(pkg, f"no Debian package owns {lib} (ldd of {engaged})"):
            needed[pkg] = os.path.basename(lib)
    return needed


def main():
    engaged = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(ROOT, "build", "engaged")
    compose_path = os.path.join(DOCKER, "docker-compose.yml")
    compose = yaml.safe_load(open(compose_path))
    services = compose["services"]
    for name in ("kafka", "engaged", "loadgen", "prometheus", "alertmanager", "grafana"):
        check(name in services, f"compose has no {name} service")

    # --- mounts and build context ----------------------------------------------------------
    mounts = {}  # service -> [(host path, container path)]
    for name, svc in services.items():
        for vol in svc.get("volumes", []):
            src, _, rest = vol.partition(":")
            target = rest.split(":")[0]
            if src.startswith((".", "/")):
                host = os.path.normpath(os.path.join(DOCKER, src))
                check(os.path.exists(host), f"{name} mounts {src}, which does not exist ({host})")
                mounts.setdefault(name, []).append((host, target))
            else:
                check(src in (compose.get("volumes") or {}), f"{name} uses undeclared volume {src}")
        build = svc.get("build")
        if build:
            ctx = os.path.normpath(os.path.join(DOCKER, build["context"]))
            check(ctx == ROOT, f"{name} builds from {ctx}, not the repository root")
            check(os.path.isfile(os.path.join(ctx, build["dockerfile"])), f"{name}: no {build['dockerfile']}")

    # --- Dockerfile ---------------------------------------------------------------------------
    stages = dockerfile_stages(os.path.join(DOCKER, "Dockerfile"))
    check(len(stages) >= 2, "the Dockerfile is not multi-stage")
    for _, image, _ in stages:
        check("bookworm" in image, f"stage image {image} is not Debian bookworm")
    copied_dirs, runtime_install, env, exposed, healthcheck = set(), set(), {}, set(), ""
    for stage, image, instrs in stages:
        for instr, args in instrs:
            if instr == "COPY":
                parts = [p for p in args.split() if not p.startswith("--")]
                if "--from" in args:
                    continue
                for src in parts[:-1]:
                    check(os.path.exists(os.path.join(ROOT, src)), f"Dockerfile copies {src}, which does not exist")
                    if os.path.isdir(os.path.join(ROOT, src)):
                        copied_dirs.add(src.rstrip("/"))
                    else:
                        copied_dirs.add(src)
            elif instr == "RUN" and "apt-get install" in args and stage != stages[0][0]:
                words = args.split("apt-get install", 1)[1].split("&&")[0].split()
                runtime_install |= {w for w in words if not w.startswith("-")}
            elif instr == "ENV":
                env.update(dict(re.findall(r"(\w+)=(\S+)", args)))
            elif instr == "HEALTHCHECK":
                healthcheck = args
            elif instr == "EXPOSE":
                exposed |= {int(p.split("/")[0]) for p in args.split()}
    check('"engaged", "probe"' in healthcheck, "the runtime stage has no HEALTHCHECK with engaged probe")
    build_runs = " ".join(a for i, a in stages[0][2] if i == "RUN")
    check("scripts/install-deps.sh" in build_runs and "scripts/install-deps.sh" in copied_dirs,
          "the build stage does not install the packages with scripts/install-deps.sh")
    cmake = open(os.path.join(ROOT, "CMakeLists.txt")).read()
    sources = re.findall(r"^\s*([\w/.-]+\.(?:cc|cpp|c|h))\s*\)?\s*$", cmake, re.M)
    check(sources, "found no sources in CMakeLists.txt")
    for src in sources:
        check(src.split("/")[0] in copied_dirs or src in copied_dirs,
              f"CMakeLists.txt compiles {src}, but the Dockerfile does not copy {src.split('/')[0]}/")
    check("CMakeLists.txt" in copied_dirs, "the Dockerfile does not copy CMakeLists.txt")

    needed = runtime_packages_needed(engaged)
    for pkg, lib in sorted(needed.items()):
        if pkg not in BASE_IMAGE_PACKAGES:
            check(pkg in runtime_install, f"runtime stage lacks {pkg} (for {lib})")
    # ... and nothing else: every library package it installs is one ldd lists.
    for pkg in sorted(runtime_install - set(needed) - NON_LIBRARY_PACKAGES):
        check(False, f"runtime stage installs {pkg}, which `ldd engaged` does not need")
    lists = os.path.isdir("/var/lib/apt/lists") and any(
        "_Packages" in f for f in os.listdir("/var/lib/apt/lists"))
    if lists:
        pol = subprocess.run(["apt-cache", "policy", *sorted(runtime_install)], capture_output=True,
                             text=True).stdout
        candidates = dict(re.findall(r"^(\S+):\n\s+Installed: .*\n\s+Candidate: (.*)$", pol, re.M))
        for pkg in sorted(runtime_install):
            check(candidates.get(pkg, "(none)") != "(none)",
                  f"runtime stage installs {pkg}, which the Debian archive does not have")
    else:
        print("note: no apt lists; package names not checked against the archive")

    # --- ports ----------------------------------------------------------------------------------
    defaults = markdown_defaults(engaged)
    config = yaml.safe_load(open(os.path.join(ROOT, "config", "engaged.yaml")))
    effective = settings(engaged, "--config", os.path.join(ROOT, "config", "engaged.yaml"))
    metrics_port = port_of(defaults["metrics.listen"])
    check(port_of(config["metrics"]["listen"]) == metrics_port,
          f"config/engaged.yaml metrics.listen {config['metrics']['listen']} vs default {defaults['metrics.listen']}")
    check(port_of(env.get("ENGAGED_METRICS_LISTEN", ":0")) == metrics_port,
          f"Dockerfile ENGAGED_METRICS_LISTEN {env.get('ENGAGED_METRICS_LISTEN')} vs port {metrics_port}")
    check(env.get("ENGAGED_METRICS_LISTEN", "").startswith("0.0.0.0:"),
          "the image must serve /metrics on every interface")
    check(metrics_port in exposed, f"Dockerfile does not EXPOSE {metrics_port}")
    check(f"127.0.0.1:{metrics_port}:{metrics_port}" in services["engaged"].get("ports", []),
          f"compose does not publish engaged's {metrics_port} (on the host's loopback)")
    check("ENGAGED_METRICS_TOKEN_FILE" in services["engaged"].get("environment", {}),
          "compose gives engaged no bearer token for /v1/users")
    prom_cfg = yaml.safe_load(open(os.path.join(DOCKER, "prometheus.yml")))
    targets = {t for job in prom_cfg["scrape_configs"] if job["job_name"] == "engaged"
               for sc in job.get("static_configs", []) for t in sc["targets"]}
    check(targets == {f"engaged:{metrics_port}"}, f"prometheus.yml scrapes {targets}")

    kafka_port = port_of(defaults["kafka.bootstrap.servers"]) if "kafka.bootstrap.servers" in defaults \
        else port_of(config["kafka"]["bootstrap.servers"])
    check(port_of(config["kafka"]["bootstrap.servers"]) == kafka_port, "config and default Kafka ports differ")
    kafka_env = services["kafka"]["environment"]
    check(f"PLAINTEXT://kafka:{kafka_port}" in kafka_env["KAFKA_ADVERTISED_LISTENERS"],
          f"Kafka does not advertise kafka:{kafka_port}")
    check(services["engaged"]["environment"].get("ENGAGED_KAFKA__BOOTSTRAP_SERVERS") == f"kafka:{kafka_port}",
          "engaged does not use kafka's listener")
    lg = services["loadgen"]["command"]
    check(lg[lg.index("--brokers") + 1] == f"kafka:{kafka_port}", "loadgen does not use kafka's listener")
    init_cmd = " ".join(services["kafka-init"]["command"])
    check(f"kafka:{kafka_port}" in init_cmd, "kafka-init does not use kafka's listener")

    prom_port = 9090
    check(f"{prom_port}:{prom_port}" in services["prometheus"]["ports"], "prometheus port")
    am_targets = [t for am in prom_cfg["alerting"]["alertmanagers"] for sc in am["static_configs"]
                  for t in sc["targets"]]
    check(am_targets == ["alertmanager:9093"] and "9093:9093" in services["alertmanager"]["ports"],
          f"prometheus alerts go to {am_targets}")

    # --- topics -------------------------------------------------------------------------------
    for key in ("input.topic", "input.dead_letter_topic"):
        section, name = key.split(".", 1)
        check(config[section][name] == defaults[key] == effective[key],
              f"{key}: config/engaged.yaml {config[section][name]}, default {defaults.get(key)}")
    specs = re.findall(r"for spec in ([^;]+);", init_cmd)
    created = dict(s.split(":") for s in specs[0].split()) if specs else {}
    descriptions = markdown_descriptions(engaged)
    for key, topic in effective.items():
        if key.endswith("topic") and topic:
            if check(topic in created, f"kafka-init does not create {topic} ({key})"):
                if "(1 partition)" in descriptions.get(key, ""):
                    check(created[topic] == "1", f"{topic} must have 1 partition ({key}), kafka-init makes {created[topic]}")
    check(lg[lg.index("--topic") + 1] == effective["input.topic"], "loadgen produces to another topic")
    check(kafka_env.get("KAFKA_PROCESS_ROLES") == "broker,controller" and "KAFKA_CONTROLLER_QUORUM_VOTERS" in kafka_env,
          "Kafka is not in KRaft mode (broker,controller with a controller quorum)")

    # --- Grafana --------------------------------------------------------------------------------
    grafana_mounts = dict((t, h) for h, t in mounts.get("grafana", []))
    provider = yaml.safe_load(open(os.path.join(ROOT, "dashboards", "grafana", "provisioning", "dashboards", "engaged.yaml")))
    path = provider["providers"][0]["options"]["path"]
    check(grafana_mounts.get(path) == os.path.join(ROOT, "dashboards", "grafana"),
          f"Grafana reads dashboards from {path}, where compose mounts {grafana_mounts.get(path)}")
    ds = yaml.safe_load(open(os.path.join(ROOT, "dashboards", "grafana", "provisioning", "datasources", "prometheus.yaml")))
    check(ds["datasources"][0]["url"] == f"http://prometheus:{prom_port}", "Grafana's data source URL")
    check(ds["datasources"][0]["type"] == "prometheus", "Grafana's data source type")
    home = services["grafana"]["environment"].get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", "")
    if home:
        check(home.startswith(path + "/") and os.path.isfile(os.path.join(grafana_mounts.get(path, ""), home[len(path) + 1:])),
              f"Grafana home dashboard {home} is not a mounted file")

    # --- Prometheus and Alertmanager configuration as mounted -------------------------------
    with tempfile.TemporaryDirectory() as tmp:
        for host, target in mounts.get("prometheus", []):
            dest = os.path.join(tmp, target.lstrip("/"))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            (shutil.copytree if os.path.isdir(host) else shutil.copy)(host, dest)
        res = subprocess.run(["promtool", "check", "config", os.path.join(tmp, "etc/prometheus/prometheus.yml")],
                             capture_output=True, text=True)
        check(res.returncode == 0 and "SUCCESS: 2 rule files found" in res.stdout + res.stderr,
              f"promtool check config on the mounted layout:\n{res.stdout}{res.stderr}")
    res = subprocess.run(["amtool", "check-config", os.path.join(DOCKER, "alertmanager.yml")],
                         capture_output=True, text=True)
    check(res.returncode == 0, f"amtool check-config:\n{res.stdout}{res.stderr}")

    return verdict(failures, f"checked {len(services)} services, {len(needed)} runtime libraries, {len(sources)} sources")


if __name__ == "__main__":
    sys.exit(main())
