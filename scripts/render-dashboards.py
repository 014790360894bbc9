#!/usr/bin/python3
"""Draws each Grafana dashboard (dashboards/grafana/*.json) as a PNG under docs/img/, from real
data: the same stack as the end-to-end test (tests/dashboards/stack.py: embedded cluster, load
generator, `engaged run`, Debian's Prometheus scraping every second), with a larger population
streamed for a few minutes. Every panel's targets are queried through Prometheus' HTTP API
(query_range, or query for instant targets) and drawn at its gridPos with matplotlib.

The stack's reactor plays the app's users (mentors answer matches, users open nudges), so the
mentor panels draw real first-response, open and return figures.

The load generator replays its days in minutes, so each scrape sees a later event day: the
product dashboards are drawn against the event day of the scrape (the "current" day of the
gauges), the pipeline dashboard against wall-clock seconds of the replay.

Usage: scripts/render-dashboards.py [--engaged build/engaged] [--users N] [--days N] [--rate N]
Needs Debian's python3-matplotlib (apt-get install python3-matplotlib) besides the test packages.
"""
import argparse
import datetime as dt
import glob
import json
import math
import os
import re
import sys

sys.dont_write_bytecode = True
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "dashboards"))
import stack  # noqa: E402
from stack import h  # noqa: E402

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit("needs matplotlib: apt-get install python3-matplotlib (and run with /usr/bin/python3)")

# Grafana's dark theme, roughly.
BG, PANEL, BORDER, TEXT, MUTED = "#111217", "#181b1f", "#2c3235", "#ccccdc", "#8e8e8e"
PALETTE = ["#73bf69", "#f2cc0c", "#8ab8ff", "#ff780a", "#f2495c", "#5794f2", "#b877d9",
           "#705da0", "#37872d", "#fade2a", "#447ebc", "#c15c17", "#890f02", "#0a437c"]
COLORS = {"green": "#73bf69", "orange": "#ff9830", "red": "#f2495c", "blue": "#5794f2"}
PX_W, PX_H = 64, 26  # pixels of one grid column and one grid row


def fmt(v, unit, decimals=None):
    if v is None or not math.isfinite(v):
        return "n/a"
    if unit == "percentunit":
        d = decimals if decimals is not None else (2 if 0 < abs(v) < 0.01 else 1)
        return f"{v * 100:.{d}f}%"
    if unit == "s":
        a = abs(v)
        if a == 0:
            return "0 s"
        if a < 1:
            return f"{v * 1000:.0f} ms"
        if a < 120:
            return f"{v:.1f} s"
        if a < 7200:
            return f"{v / 60:.1f} min"
        if a < 172800:
            return f"{v / 3600:.1f} h"
        return f"{v / 86400:.1f} d"
    if unit == "bytes":
        for u in ("B", "KiB", "MiB", "GiB", "TiB"):
            if abs(v) < 1024 or u == "TiB":
                return f"{v:.0f} {u}" if u == "B" else f"{v:.1f} {u}"
            v /= 1024
    suffix = "/s" if unit == "cps" else ""
    if decimals is not None and abs(v) < 1000:
        return f"{v:.{decimals}f}{suffix}"
    for div, u in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            return f"{v / div:.1f}{u}{suffix}"
    return (f"{v:.0f}" if abs(v) >= 100 or v == int(v) else f"{v:.2f}") + suffix


def legend(fmt_str, labels):
    if fmt_str in ("", "__auto"):
        return ",".join(f"{k}={v}" for k, v in labels.items() if k != "__name__") or "value"
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda mo: labels.get(mo.group(1), ""), fmt_str)


def threshold_color(v, panel):
    steps = panel["fieldConfig"]["defaults"].get("thresholds", {}).get("steps", [])
    color = "blue"
    for s in steps:
        if s["value"] is None or (v is not None and math.isfinite(v) and v >= s["value"]):
            color = s["color"]
    return COLORS.get(color, color)


class Renderer:
    def __init__(self, prom, start, end, subst, x_of):
        self.prom, self.start, self.end, self.subst, self.x_of = prom, start, end, subst, x_of

    def query(self, target):
        expr = expand(target["expr"], self.subst)
        if target.get("instant"):
            body = self.prom.get("query", query=expr, time=self.end)
            rows = [(s["metric"], [(self.end, float(s["value"][1]))]) for s in body["data"]["result"]] \
                if body.get("status") == "success" else []
        else:
            body = self.prom.get("query_range", query=expr, start=self.start, end=self.end, step=1)
            rows = [(s["metric"], [(float(t), float(v)) for t, v in s["values"]])
                    for s in body["data"]["result"]] if body.get("status") == "success" else []
        return [(legend(target.get("legendFormat", ""), m), pts) for m, pts in rows]

    def points(self, pts):
        """(x, value) with x = x_of(wall time); finite values only; one point per x (the last
        scrape of an event day holds that day's final figures)."""
        out = []
        for t, v in pts:
            if not math.isfinite(v):
                continue
            x = self.x_of(t)
            if x is None:
                continue
            if out and out[-1][0] == x:
                out[-1] = (x, v)
            else:
                out.append((x, v))
        return out

    def draw(self, fig, panel, total_h):
        g = panel["gridPos"]
        W, H = 24 * PX_W, total_h * PX_H
        left, top = g["x"] * PX_W / W, 1 - g["y"] * PX_H / H
        width, height = g["w"] * PX_W / W, g["h"] * PX_H / H
        pad = 4 / W
        if panel["type"] == "row":
            fig.text(left + pad, top - height / 2, panel["title"], color=TEXT, fontsize=12,
                     fontweight="bold", va="center")
            return
        frame = fig.add_axes([left + pad, top - height + pad * W / H, width - 2 * pad, height - 2 * pad * W / H])
        frame.set_facecolor(PANEL)
        frame.set_xticks([]), frame.set_yticks([])
        for sp in frame.spines.values():
            sp.set_color(BORDER)
        fh = height - 2 * pad * W / H
        title_h = 22 / H
        frame.text(0.012, 1 - (11 / H) / fh, panel["title"], transform=frame.transAxes, color=TEXT,
                   fontsize=9, va="center", fontweight="bold")
        series = [s for t in panel["targets"] for s in self.query(t)]
        series = [(n, self.points(pts)) for n, pts in series]
        series = [(n, pts) for n, pts in series if pts]
        unit = panel["fieldConfig"]["defaults"].get("unit", "short")
        decimals = panel["fieldConfig"]["defaults"].get("decimals")
        inner = [left + pad + 8 / W, top - height + pad * W / H + 6 / H,
                 width - 2 * pad - 16 / W, fh - title_h - 8 / H]
        if not series:
            frame.text(0.5, 0.45, "No data", transform=frame.transAxes, color=MUTED, fontsize=11,
                       ha="center", va="center")
            return
        if panel["type"] == "stat":
            name, pts = series[0]
            v = pts[-1][1]
            color = threshold_color(v, panel)
            spark = fig.add_axes([inner[0], inner[1], inner[2], inner[3] * 0.45])
            spark.set_axis_off()
            xs = [x for x, _ in pts]
            spark.fill_between(xs, [p[1] for p in pts], min(p[1] for p in pts), color=color, alpha=0.18, lw=0)
            spark.plot(xs, [p[1] for p in pts], color=color, lw=1)
            frame.text(0.5, 0.5, fmt(v, unit, decimals), transform=frame.transAxes, color=color,
                       fontsize=20, fontweight="bold", ha="center", va="center")
        elif panel["type"] == "bargauge":
            label_px = 8 + 4.8 * max(len(n) for n, _ in series)  # room for the names at the left
            ax = fig.add_axes([inner[0] + label_px / W, inner[1], inner[2] - label_px / W, inner[3]])
            ax.set_facecolor(PANEL)
            names = [n for n, _ in series][::-1]
            vals = [pts[-1][1] for _, pts in series][::-1]
            vmax = panel["fieldConfig"]["defaults"].get("max") or max(max(vals), 1e-12)
            ax.barh(range(len(vals)), [vmax] * len(vals), color="#22252b", height=0.7)
            ax.barh(range(len(vals)), vals, color=[PALETTE[2]] * len(vals), height=0.7)
            ax.set_xlim(0, vmax * 1.28)
            ax.set_yticks(range(len(vals)), names, color=TEXT, fontsize=7)
            ax.set_xticks([])
            for i, v in enumerate(vals):
                ax.text(vmax * 1.02, i, fmt(v, unit, decimals), color=TEXT, fontsize=7, va="center")
            for sp in ax.spines.values():
                sp.set_visible(False)
            ax.tick_params(length=0)
        else:
            longest = max(len(n) for n, _ in series[:12])
            ncol = max(1, min(len(series[:12]), int(g["w"] * PX_W / (longest * 4.6 + 30))))
            rows = math.ceil(min(len(series), 12) / ncol)
            legend_px = 12 + 11 * rows
            ax = fig.add_axes([inner[0] + 40 / W, inner[1] + (legend_px + 10) / H, inner[2] - 44 / W,
                               inner[3] - (legend_px + 12) / H])
            ax.set_facecolor(PANEL)
            stacked = panel["fieldConfig"]["defaults"].get("custom", {}).get("stacking", {}).get("mode") == "normal"
            base = None
            for i, (name, pts) in enumerate(series[:12]):
                xs = [x for x, _ in pts]
                ys = [v for _, v in pts]
                c = PALETTE[i % len(PALETTE)]
                if stacked and base is not None and len(base) == len(ys):
                    ys = [a + b for a, b in zip(ys, base)]
                    ax.fill_between(xs, base, ys, color=c, alpha=0.25, lw=0)
                step = panel["fieldConfig"]["defaults"].get("custom", {}).get("lineInterpolation") == "stepAfter"
                ax.plot(xs, ys, color=c, lw=1.1, label=name, drawstyle="steps-post" if step else "default")
                base = ys if stacked else None
            for sp in ax.spines.values():
                sp.set_color(BORDER)
            ax.tick_params(colors=MUTED, labelsize=6.5, length=2)
            ax.grid(color="#23262b", lw=0.6)
            ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt(v, unit)))
            ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(6))
            if isinstance(self.x_of(self.end), dt.datetime):
                ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %d"))
            lo = panel["fieldConfig"]["defaults"].get("min")
            if lo is not None:
                ax.set_ylim(bottom=lo)
            hi = panel["fieldConfig"]["defaults"].get("max")
            if hi is not None:
                ax.set_ylim(top=hi)
            leg = ax.legend(loc="upper left", bbox_to_anchor=(0, -14 / (ax.get_position().height * H)),
                            ncol=ncol,
                            fontsize=6.5, frameon=False, labelcolor=TEXT, handlelength=1.2,
                            columnspacing=1.0)
            for line in leg.get_lines():
                line.set_linewidth(2.5)


def expand(expr, subst):
    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)", lambda mo: subst[mo.group(1) or mo.group(2)], expr)


def all_panels(panels):
    for p in panels:
        yield p
        yield from all_panels(p.get("panels", []))


def render(board, renderer, out, caption):
    panels = list(all_panels(board["panels"]))
    total_h = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in panels) + 3  # + header
    for p in panels:
        p["gridPos"] = dict(p["gridPos"], y=p["gridPos"]["y"] + 3)
    fig = plt.figure(figsize=(24 * PX_W / 100, total_h * PX_H / 100), dpi=100, facecolor=BG)
    fig.text(6 / (24 * PX_W), 1 - 1.0 / total_h, board["title"], color=TEXT, fontsize=15, fontweight="bold",
             va="center")
    fig.text(6 / (24 * PX_W), 1 - 2.1 / total_h, caption, color=MUTED, fontsize=8, va="center")
    for p in panels:
        renderer.draw(fig, p, total_h)
    fig.savefig(out, dpi=100, facecolor=BG)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engaged", default=os.path.join(ROOT, "build", "engaged"))
    ap.add_argument("--users", type=int, default=20000)
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--rate", type=int, default=9000)
    ap.add_argument("--end", default="2026-06-30")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "img"))
    args = ap.parse_args()
    work = h.init([sys.argv[0], args.engaged])
    gen = ["--users", args.users, "--days", args.days, "--end", args.end, "--seed", 7]
    os.makedirs(args.out, exist_ok=True)
    with stack.running_stack(work, gen, rate=args.rate, settle_s=5) as (prom, start, end):
        span = f"{int(end - start) + 5}s"
        subst = {"job": ".*", "instance": ".*", "dimension": ".*", "segment": ".*", "kind": ".*",
                 "__rate_interval": "15s", "__interval": "1s", "__range": span, "__range_s": span[:-1]}
        body = prom.get("query_range", query='max(engaged_current_day_start_timestamp_seconds{job="engaged"})',
                        start=start, end=end, step=1)
        # Before its first event an instance reports day 0 (1970): those scrapes are left out.
        days = sorted((float(t), float(v)) for t, v in body["data"]["result"][0]["values"] if float(v) > 0)

        def event_day(t):  # the current event day of the scrape at wall time t (None: no data yet)
            v = None
            for tt, vv in days:
                if tt > t:
                    break
                v = vv
            return None if v is None else dt.datetime.fromtimestamp(v, dt.timezone.utc).replace(tzinfo=None)

        for path in sorted(glob.glob(os.path.join(ROOT, "dashboards", "grafana", "*.json"))):
            board = json.load(open(path))
            pipeline = board["uid"] == "engaged-pipeline"
            x_of = (lambda t: t - start) if pipeline else event_day
            # The period is the load's: reactions to its last nudges fall on the day after it.
            caption = (f"Rendered by scripts/render-dashboards.py from Prometheus scraping `engaged run` every "
                       f"second while the load generator streamed {args.users} synthetic users ({args.days} days "
                       f"up to {args.end}) in {end - start:.0f} s and a reactor answered nudges. "
                       + ("x axis: seconds into the replay." if pipeline else "x axis: event day at each scrape."))
            out = os.path.join(args.out, os.path.basename(path)[:-5] + ".png")
            render(board, Renderer(prom, start, end, subst, x_of), out, caption)
            h.log(f"wrote {os.path.relpath(out, ROOT)} ({os.path.getsize(out) // 1024} KiB)")


if __name__ == "__main__":
    main()
