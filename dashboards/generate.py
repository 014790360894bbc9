#!/usr/bin/env python3
"""Writes the Grafana dashboards of engaged (dashboards/grafana/*.json) from the definitions below.

Run it after changing a panel: `python3 dashboards/generate.py`. The JSON files are committed
(Grafana provisions them as they are); tests/dashboards/dashboards_json_test.py fails when they
differ from what this script writes, and checks their structure. Python 3 standard library only.

Conventions (as in the kubernetes/monitoring mixins):
- every panel and every target uses the `datasource` template variable, never a fixed uid;
- every selector carries job=~"$job",instance=~"$instance", so a dashboard shows one instance,
  several, or (the default) all of them;
- each instance exports partial sums (the figures of the partitions it owns), so every ratio
  sums its numerator and its denominator over the selected instances before dividing;
- product figures use day="latest_complete" (the newest day whose figures are final, apart from
  late events) unless a panel says "today so far" (day="current").
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "grafana")
DS = {"type": "prometheus", "uid": "${datasource}"}
BASE = 'job=~"$job",instance=~"$instance"'
# The mixin's default _config.engagedSelector (dashboards/mixin/config.libsonnet): the job and
# instance variables list only the series it selects, and the mixin replaces it with yours.
SELECTOR = 'job="engaged"'
LC = "latest_complete"


def m(name, **labels):
    """A selector with the job and instance variables: m("x", day=LC) -> x{job=~..,day="..."}.
    A label value starting with "=~" or "!=" is used as a matcher as it is."""
    parts = [BASE]
    for k, v in labels.items():
        parts.append(f"{k}{v}" if v[:2] in ("=~", "!=", "!~") else f'{k}="{v}"')
    return f"{name}{{{','.join(parts)}}}"


def q(s):
    """A PromQL string literal."""
    return json.dumps(s)


def ratio(num, den, by=""):
    """sum(num) / sum(den): partial sums of every instance first, then the ratio."""
    agg = f"sum by ({by}) " if by else "sum"
    return f"{agg}({num}) / {agg}({den})"


def quantile(q, bucket_selector, window="$__rate_interval", by=""):
    by_le = f"{by}, le" if by else "le"
    return f"histogram_quantile({q}, sum by ({by_le}) (rate({bucket_selector}[{window}])))"


class Target:
    def __init__(self, expr, legend="", instant=False):
        self.expr, self.legend, self.instant = expr, legend, instant

    def json(self, ref):
        return {
            "datasource": DS,
            "editorMode": "code",
            "expr": self.expr,
            "instant": self.instant,
            "legendFormat": self.legend or "__auto",
            "range": not self.instant,
            "refId": ref,
        }


def T(expr, legend=""):
    return Target(expr, legend)


def I(expr, legend=""):  # instant: bar gauges show the current value
    return Target(expr, legend, instant=True)


def thresholds(*steps):
    """steps: (value, color) pairs after the base colour; thresholds("green", (0.01, "orange"))."""
    base, rest = steps[0], steps[1:]
    return {"mode": "absolute",
            "steps": [{"color": base, "value": None}] + [{"color": c, "value": v} for v, c in rest]}


class Panel:
    def __init__(self, kind, title, description, targets, unit="short", w=12, h=8, **opts):
        self.kind, self.title, self.description = kind, title, description
        self.targets, self.unit, self.w, self.h, self.opts = targets, unit, w, h, opts

    def json(self, pid, x, y):
        refs = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        p = {
            "datasource": DS,
            "description": self.description,
            "gridPos": {"h": self.h, "w": self.w, "x": x, "y": y},
            "id": pid,
            "targets": [t.json(refs[i]) for i, t in enumerate(self.targets)],
            "title": self.title,
            "type": self.kind,
        }
        defaults = {"unit": self.unit}
        for k in ("min", "max", "decimals"):
            if k in self.opts:
                defaults[k] = self.opts[k]
        if self.kind == "timeseries":
            stack = self.opts.get("stack", False)
            defaults["color"] = {"mode": "palette-classic"}
            defaults["custom"] = {
                "axisBorderShow": False,
                "axisCenteredZero": False,
                "axisLabel": self.opts.get("axis", ""),
                "axisPlacement": "auto",
                "drawStyle": "line",
                "fillOpacity": 25 if stack else 8,
                "gradientMode": "none",
                "lineInterpolation": "stepAfter" if self.opts.get("steps") else "linear",
                "lineWidth": 1,
                "pointSize": 4,
                "showPoints": "never",
                "spanNulls": False,
                "stacking": {"group": "A", "mode": "normal" if stack else "none"},
                "thresholdsStyle": {"mode": "off"},
            }
            defaults["thresholds"] = thresholds("green")
            p["options"] = {
                "legend": {"calcs": self.opts.get("calcs", []), "displayMode": "list",
                           "placement": "bottom", "showLegend": True},
                "tooltip": {"mode": "multi", "sort": "desc"},
            }
        elif self.kind == "stat":
            defaults["color"] = {"mode": "thresholds"}
            defaults["thresholds"] = self.opts.get("thresholds", thresholds("blue"))
            p["options"] = {
                "colorMode": "value",
                "graphMode": "area",
                "justifyMode": "auto",
                "orientation": "auto",
                "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                "percentChangeColorMode": "standard",
                "showPercentChange": False,
                "textMode": "auto",
                "wideLayout": True,
            }
        elif self.kind == "bargauge":
            defaults["color"] = {"mode": "continuous-BlPu"}
            defaults["thresholds"] = thresholds("blue")
            defaults.setdefault("min", 0)
            p["options"] = {
                "displayMode": "gradient",
                "legend": {"calcs": [], "displayMode": "list", "placement": "bottom",
                           "showLegend": False},
                "maxVizHeight": 300,
                "minVizHeight": 16,
                "minVizWidth": 8,
                "namePlacement": "auto",
                "orientation": "horizontal",
                "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                "showUnfilled": True,
                "sizing": "auto",
                "valueMode": "color",
            }
        else:
            raise ValueError(self.kind)
        p["fieldConfig"] = {"defaults": defaults, "overrides": []}
        return p


def timeseries(title, description, targets, unit="short", **kw):
    return Panel("timeseries", title, description, targets, unit, **kw)


def stat(title, description, targets, unit="short", w=4, h=4, **kw):
    return Panel("stat", title, description, targets, unit, w=w, h=h, **kw)


def bargauge(title, description, targets, unit="short", **kw):
    return Panel("bargauge", title, description, targets, unit, **kw)


class Row:
    def __init__(self, title, panels):
        self.title, self.panels = title, panels


# ---- template variables ------------------------------------------------------------------------

def datasource_var():
    return {"hide": 0, "includeAll": False, "label": "Data source", "multi": False,
            "name": "datasource", "options": [], "query": "prometheus", "refresh": 1, "regex": "",
            "skipUrlSync": False, "type": "datasource"}


def query_var(name, label, query, multi=True, include_all=True, all_value=".*"):
    v = {"datasource": DS, "hide": 0,
         "includeAll": include_all, "label": label, "multi": multi, "name": name, "options": [],
         "query": query,  # the classic string form: every Grafana version reads it
         "refresh": 2, "regex": "", "skipUrlSync": False, "sort": 1, "type": "query"}
    if include_all:
        v["allValue"] = all_value
        v["current"] = {"selected": True, "text": ["All"], "value": ["$__all"]}
    return v


def job_instance_vars():
    return [
        datasource_var(),
        query_var("job", "Job", f"label_values(engaged_events_consumed_total{{{SELECTOR}}}, job)"),
        query_var("instance", "Instance",
                  f'label_values(engaged_events_consumed_total{{{SELECTOR},job=~"$job"}}, instance)'),
    ]


# ---- assembling a dashboard -------------------------------------------------------------------

def dashboard(uid, title, description, rows, variables, time_from="now-7d", refresh="1m"):
    panels, pid, y = [], 1, 0
    for row in rows:
        panels.append({"collapsed": False, "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "id": pid,
                       "panels": [], "title": row.title, "type": "row"})
        pid, y = pid + 1, y + 1
        x, line_h = 0, 0
        for p in row.panels:
            if x + p.w > 24:
                x, y, line_h = 0, y + line_h, 0
            panels.append(p.json(pid, x, y))
            pid, x, line_h = pid + 1, x + p.w, max(line_h, p.h)
        y += line_h
    return {
        "annotations": {"list": [{
            "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
            "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts", "type": "dashboard"}]},
        "description": description,
        "editable": True,
        "fiscalYearStartMonth": 0,
        "graphTooltip": 1,
        "links": [{"asDropdown": False, "icon": "external link", "includeVars": True,
                   "keepTime": True, "tags": ["engaged"], "targetBlank": False,
                   "title": "engaged", "tooltip": "", "type": "dashboards", "url": ""}],
        "liveNow": False,
        "panels": panels,
        "refresh": refresh,
        "schemaVersion": 39,
        "tags": ["engaged"],
        "templating": {"list": variables},
        "time": {"from": time_from, "to": "now"},
        "timepicker": {},
        "timezone": "utc",
        "title": title,
        "uid": uid,
        "version": 1,
        "weekStart": "",
    }


# ---- 1. Engagement overview -------------------------------------------------------------------

def active(window, day=LC):
    return m("engaged_active_users", day=day, window=window)


def overview():
    stick = ratio(m("engaged_stickiness_dau_users", day=LC), m("engaged_stickiness_mau_users", day=LC))

    def nps(window, day=LC):
        sel = dict(day=day, window=window)
        return (f"100 * (sum({m('engaged_nps_promoters', **sel)}) - sum({m('engaged_nps_detractors', **sel)}))"
                f" / sum({m('engaged_nps_responses', **sel)})")

    dist30 = [("1", "1 day"), ("2|3", "2-3 days"), ("4|5|6|7", "4-7 days"),
              ("8|9|10|11|12|13|14", "8-14 days"), ("1[5-9]|2[0-1]", "15-21 days"),
              ("2[2-9]", "22-29 days"), ("30", "every day")]
    lengths = [("lt_1m", "< 1 min"), ("1m_5m", "1-5 min"), ("5m_15m", "5-15 min"),
               ("15m_30m", "15-30 min"), ("30m_60m", "30-60 min"), ("ge_60m", ">= 60 min")]
    seg = dict(dimension='=~"$dimension"', value='=~"$segment"')
    rows = [
        Row("Latest complete day", [
            stat("DAU", "Users active on the latest complete day (at least one counted event).",
                 [T(f"sum({active('1d')})", "DAU")]),
            stat("WAU", "Users active in the 7 days ending on the latest complete day.",
                 [T(f"sum({active('7d')})", "WAU")]),
            stat("MAU", "Users active in the 30 days ending on the latest complete day.",
                 [T(f"sum({active('30d')})", "MAU")]),
            stat("Stickiness", "DAU / MAU of the latest complete day (summed over instances first).",
                 [T(stick, "DAU / MAU")], "percentunit", decimals=1),
            stat("DAU today so far", "Users active on the current (incomplete) day.",
                 [T(f"sum({active('1d', 'current')})", "today")]),
            stat("NPS (30 days)",
                 "100 x (promoters - detractors) / responses, over the 30 days ending on the latest "
                 "complete day.", [T(nps("30d"), "NPS")], "none", decimals=0,
                 thresholds=thresholds("red", (0, "orange"), (30, "green"))),
        ]),
        Row("Active users", [
            timeseries("DAU / WAU / MAU",
                       "Active users of the latest complete day, in its 7 and 30 days. The value "
                       "changes when the day completes.",
                       [T(f"sum({active('1d')})", "DAU"), T(f"sum({active('7d')})", "WAU"),
                        T(f"sum({active('30d')})", "MAU")], steps=True),
            timeseries("Stickiness (DAU / MAU)",
                       "How many of the month's users come on a given day.",
                       [T(stick, "stickiness")], "percentunit", min=0, steps=True),
            timeseries("Lifecycle",
                       "new: first active day; returning: active on the day and the day before; "
                       "resurrecting: active, not the day before, not new; dormant: active the day "
                       "before, not on the day.",
                       [T(f"sum by (state) ({m('engaged_lifecycle_users', day=LC)})", "{{state}}")],
                       steps=True),
            bargauge("Active days in the last 30 days",
                     "Stickiness distribution: users by number of active days in the 30 days ending "
                     "on the latest complete day (adds up to MAU).",
                     [I(f"sum({m('engaged_stickiness_distribution_users', day=LC, window='30d', days=f'=~{q(r)}')})",
                        label) for r, label in dist30]),
        ]),
        Row("Sessions", [
            timeseries("Sessions per day",
                       "Sessions starting on the day (events sharing a session_id, or actions split "
                       "at the inactivity gap).",
                       [T(f"sum({m('engaged_day_sessions', day=LC)})", "latest complete day"),
                        T(f"sum({m('engaged_day_sessions', day='current')})", "today so far")],
                       w=8, steps=True),
            timeseries("Actions per session", "Actions in the day's sessions / the day's sessions.",
                       [T(ratio(m("engaged_day_session_actions", day=LC), m("engaged_day_sessions", day=LC)),
                          "actions / session")], w=8, min=0, steps=True),
            timeseries("Average session length", "Summed session length / sessions of the day.",
                       [T(ratio(m("engaged_day_session_duration_seconds", day=LC), m("engaged_day_sessions", day=LC)),
                          "mean length")], "s", w=8, min=0, steps=True),
            timeseries("Sessions per active user", "Sessions of the day / DAU.",
                       [T(ratio(m("engaged_day_sessions", day=LC), active("1d")), "sessions / DAU")],
                       w=12, min=0, steps=True),
            bargauge("Session length", "Sessions of the latest complete day by length.",
                     [I(f"sum({m('engaged_day_session_length_sessions', day=LC, length=b)})", label)
                      for b, label in lengths], w=12),
        ]),
        Row("Feedback and revenue", [
            timeseries("NPS", "Net promoter score of the responses on the day, and over 30 days.",
                       [T(nps("30d"), "30 days"), T(nps("1d"), "on the day")], "none",
                       min=-100, max=100, w=6, steps=True),
            timeseries("Revenue by currency",
                       "Revenue of the latest complete day, in units of each currency (no conversion).",
                       [T(f"sum by (currency) ({m('engaged_day_revenue', day=LC)})", "{{currency}}")],
                       w=6, min=0, steps=True),
            timeseries("ARPU by currency", "Revenue of the day / DAU, per currency.",
                       [T(f"sum by (currency) ({m('engaged_day_revenue', day=LC)}) / on () group_left () "
                          f"sum({active('1d')})", "{{currency}}")], w=6, min=0, steps=True),
            timeseries("Paying users and purchases",
                       "Users with at least one purchase on the day (any currency), and purchases.",
                       [T(f"sum({m('engaged_paying_users', day=LC)})", "paying users"),
                        T(f"sum({m('engaged_day_purchases', day=LC)})", "purchases")],
                       w=6, min=0, steps=True),
        ]),
        Row("Habits and referrals", [
            timeseries("Check-ins and streaks",
                       "Users who checked in; whose streak is at least 7 days; whose streak of at "
                       "least 2 days ended the day before.",
                       [T(f"sum({m('engaged_check_in_users', day=LC)})", "checked in"),
                        T(f"sum({m('engaged_long_streak_users', day=LC)})", "streak >= 7 days"),
                        T(f"sum({m('engaged_streak_breaks_users', day=LC)})", "streak broken")],
                       w=8, min=0, steps=True),
            timeseries("Recommendation rate",
                       "Users who referred someone in the 30 days ending on the day / MAU.",
                       [T(ratio(m("engaged_referrers_users", day=LC), active("30d")), "recommendation rate")],
                       "percentunit", w=8, min=0, steps=True),
            timeseries("Referrals",
                       "Referral events on the day, and conversions: referred users (signup with a "
                       "referrer) first active on the day.",
                       [T(f"sum({m('engaged_referrals_sent', day=LC)})", "referrals sent"),
                        T(f"sum({m('engaged_referred_activated_users', day=LC)})", "referred users activated")],
                       w=8, min=0, steps=True),
        ]),
        Row("Support", [
            timeseries("Tickets", "Tickets opened on the day, answered ones, and unanswered tickets "
                       "older than support.sla now.",
                       [T(f"sum({m('engaged_support_tickets', day=LC)})", "opened"),
                        T(f"sum({m('engaged_support_answered_tickets', day=LC)})", "answered"),
                        T(f"sum({m('engaged_support_open_over_sla_tickets')})", "open over SLA")],
                       w=8, min=0, steps=True),
            timeseries("Answered within 1 hour", "Share of the day's tickets whose first reply came "
                       "within 1 hour.",
                       [T(ratio(m("engaged_support_answered_within_1h_tickets", day=LC),
                                m("engaged_support_tickets", day=LC)), "within 1 h")],
                       "percentunit", w=8, min=0, max=1, steps=True),
            timeseries("Mean first response", "Summed first-response time / answered tickets of the day.",
                       [T(ratio(m("engaged_support_response_seconds", day=LC),
                                m("engaged_support_answered_tickets", day=LC)), "mean")],
                       "s", w=8, min=0, steps=True),
        ]),
        Row("Segments", [
            timeseries("DAU by segment",
                       "DAU of the latest complete day per segment (a user belongs to the value of "
                       "their earliest event with the dimension; unlisted values are 'other').",
                       [T(f"sum by (dimension, value) ({m('engaged_segment_active_users', day=LC, window='1d', **seg)})",
                          "{{dimension}}={{value}}")], w=12, steps=True),
            bargauge("MAU share by segment",
                     "Share of each dimension's MAU per value (latest complete day).",
                     [I(f"sum by (dimension, value) ({m('engaged_segment_active_users', day=LC, window='30d', **seg)})"
                        f" / on (dimension) group_left () "
                        f"sum by (dimension) ({m('engaged_segment_active_users', day=LC, window='30d', **seg)})",
                        "{{dimension}}={{value}}")], "percentunit", w=12, max=1),
        ]),
    ]
    variables = job_instance_vars() + [
        query_var("dimension", "Dimension",
                  'label_values(engaged_segment_active_users{job=~"$job"}, dimension)'),
        query_var("segment", "Segment",
                  'label_values(engaged_segment_active_users{job=~"$job",dimension=~"$dimension"}, value)'),
    ]
    return dashboard("engaged-overview", "engaged / Engagement overview",
                     "DAU/WAU/MAU, stickiness, lifecycle, sessions, NPS, revenue, habits and segments "
                     "(docs/metrics.md has every definition).", rows, variables)


# ---- 2. Retention & cohorts -------------------------------------------------------------------

def retention():
    def ret(n, by=""):
        sel = {} if by else {"day_n": n}
        return ratio(m("engaged_retention_retained_users", **sel), m("engaged_retention_cohort_users", **sel), by)

    def trailing(n, by=""):
        sel = {} if by else {"day_n": n}
        return ratio(m("engaged_retention_trailing_retained_users", **sel),
                     m("engaged_retention_trailing_cohort_users", **sel), by)

    def unbounded(n="", by="day_n", trailing_cohorts=False):
        sel = {"day_n": n} if n else {}
        pre = "engaged_retention_trailing_" if trailing_cohorts else "engaged_retention_"
        return ratio(m(f"{pre}unbounded_retained_users", **sel), m(f"{pre}cohort_users", **sel), by)

    def le(i):  # the label prometheus-cpp writes for the upper bound i/10
        return "1" if i == 10 else f"{i / 10:.1f}"

    def buckets():
        """Users per decile: the difference of two cumulative buckets."""
        out = []
        for i in range(1, 11):
            upper = f"sum({m('engaged_risk_score_bucket', le=le(i))})"
            expr = upper if i == 1 else f"{upper} - sum({m('engaged_risk_score_bucket', le=le(i - 1))})"
            out.append(I(expr, f"{(i - 1) / 10:.1f}-{i / 10:.1f}"))
        return out

    def risk_quantile(q):
        return f"histogram_quantile({q}, sum by (le) ({m('engaged_risk_score_bucket')}))"

    rows = [
        Row("Latest complete cohorts", [
            stat(f"D{n} retention",
                 f"Users of the most recent cohort that can have a day {n} (cohort day = latest "
                 f"complete day - {n}) who were active on day {n}.",
                 [T(ret(str(n)), f"D{n}")], "percentunit", w=6, decimals=1)
            for n in (1, 7, 14, 30)
        ]),
        Row("Against the trailing 4-week average", [
            timeseries(f"D{n} retention",
                       f"Day-{n} retention of the latest complete cohort, and of the 28 cohorts "
                       f"before it together (their trailing 4-week average). EngagedRetentionDrop "
                       f"fires when the first falls clearly below the second.",
                       [T(ret(str(n)), "latest cohort"), T(trailing(str(n)), "trailing 4 weeks")],
                       "percentunit", w=6, min=0, steps=True)
            for n in (1, 7, 14, 30)
        ] + [
            timeseries("Latest cohort minus trailing average",
                       "Difference in percentage points, per day N: below 0, the newest cohort "
                       "retains worse than the four weeks before it.",
                       [T(f"{ret('', 'day_n')} - {trailing('', 'day_n')}", "D{{day_n}}")],
                       "percentunit", w=12, steps=True),
            timeseries("Cohort sizes",
                       "Size of the cohort reported for each N, the mean size of the 28 cohorts "
                       "before it, and the new users of the latest complete day.",
                       [T(f"sum by (day_n) ({m('engaged_retention_cohort_users')})", "cohort for D{{day_n}}"),
                        T(f"sum by (day_n) ({m('engaged_retention_trailing_cohort_users')}) / 28",
                          "mean trailing cohort for D{{day_n}}"),
                        T(f"sum({m('engaged_lifecycle_users', day=LC, state='new')})", "new users")],
                       w=12, min=0, steps=True),
        ]),
        Row("Unbounded retention (active on day N or any later day)", [
            timeseries("Unbounded retention, trailing 4 weeks",
                       "Users of the 28 cohorts before the latest complete one for N who were active "
                       "on their day N or any day after it, / those cohorts' size. Unlike day-N "
                       "retention it does not drop when a user skips exactly day N.",
                       [T(unbounded(str(n), "", trailing_cohorts=True), f"D{n}+") for n in (1, 7, 14, 30)],
                       "percentunit", w=8, min=0, max=1, steps=True),
            timeseries("Unbounded retention, latest cohort",
                       "The same for the most recent complete cohort for N. Its day N is the latest "
                       "complete day, so 'later' is only today so far: it grows during the day.",
                       [T(unbounded(str(n), ""), f"D{n}+") for n in (1, 7, 14, 30)],
                       "percentunit", w=8, min=0, max=1, steps=True),
            bargauge("Back after skipping day N (trailing 4 weeks)",
                     "Unbounded minus day-N retention of the trailing cohorts: the share of a "
                     "cohort not active on its day N but active later.",
                     [I(f"{unbounded(str(n), '', trailing_cohorts=True)} - {trailing(str(n))}", f"D{n}")
                      for n in (1, 7, 14, 30)],
                     "percentunit", w=8, decimals=1),
        ]),
        Row("Aha moment", [
            stat("Aha reach",
                 "Users of the newest cohort whose aha window has ended who did the key action "
                 "often enough in time (aha.key_action, aha.count, aha.within_days).",
                 [T(ratio(m("engaged_aha_reached_users"), m("engaged_aha_cohort_users")), "reach")],
                 "percentunit", w=6, h=8, decimals=1),
            timeseries("Aha reach", "Reach rate of the newest cohort whose aha window has ended.",
                       [T(ratio(m("engaged_aha_reached_users"), m("engaged_aha_cohort_users")), "reach")],
                       "percentunit", w=9, min=0, steps=True),
            timeseries("Aha cohort", "That cohort's size and the users who reached the aha moment.",
                       [T(f"sum({m('engaged_aha_cohort_users')})", "cohort"),
                        T(f"sum({m('engaged_aha_reached_users')})", "reached")],
                       w=9, min=0, steps=True),
        ]),
        Row("Churn risk", [
            stat("At risk", "Share of scored users whose churn-risk score is at or above "
                 "risk.threshold.",
                 [T(ratio(m("engaged_risk_at_risk_users"), m("engaged_risk_scored_users")), "at risk")],
                 "percentunit", w=4, h=8, decimals=1,
                 thresholds=thresholds("green", (0.2, "orange"), (0.35, "red"))),
            stat("Median risk score", "The median churn-risk score of the scored users, "
                 "interpolated within its decile (histogram_quantile over the cumulative "
                 "engaged_risk_score buckets).",
                 [T(risk_quantile(0.5), "median")], "none", w=4, h=8, decimals=2),
            timeseries("Users at churn risk",
                       "Scored users, users at or above the threshold, and their share (right "
                       "panel: score distribution). EngagedChurnRiskShareSpike watches the share.",
                       [T(f"sum({m('engaged_risk_scored_users')})", "scored"),
                        T(f"sum({m('engaged_risk_at_risk_users')})", "at risk")],
                       w=8, min=0),
            bargauge("Churn-risk score distribution", "Users by score decile (the difference "
                     "of two cumulative le buckets).", buckets(), w=8),
        ]),
    ]
    return dashboard("engaged-retention", "engaged / Retention & cohorts",
                     "Day-N retention of the newest cohorts against their trailing 4-week average, "
                     "unbounded retention, aha-moment reach and churn risk.", rows, job_instance_vars(),
                     "now-30d")


# ---- 3. Mentor program ------------------------------------------------------------------------

def mentor():
    kind = dict(kind='=~"$kind"')
    frs = m("engaged_mentor_first_response_seconds_bucket")
    frc = m("engaged_mentor_first_response_seconds_count")

    def arm_ratio(num, window=None, arm=None):
        labels = {"program": "mentoring"}
        if arm:
            labels["arm"] = arm
        num_labels = dict(labels, **({"window": window} if window and num != "returned" else {}))
        den_labels = dict(labels, window=window or "7d")
        name = {"retained": "engaged_program_retained_users",
                "returned": "engaged_program_returned_users"}[num]
        return ratio(m(name, **num_labels), m("engaged_program_entered_users", **den_labels),
                     "" if arm else "arm")

    def uplift(num, window=None):
        return (f"({arm_ratio(num, window, 'treated')}) - ({arm_ratio(num, window, 'holdout')})")

    loads = ["0", "1", "2", "3", "4", "5+"]
    rows = [
        Row("Mentors and matches", [
            stat("Mentors active", "Opted-in mentors who are not suspended.",
                 [T(f"sum({m('engaged_mentors_active')})", "active")]),
            stat("Mentors suspended", "Mentors suspended after too many reports.",
                 [T(f"sum({m('engaged_mentors_suspended')})", "suspended")],
                 thresholds=thresholds("green", (1, "orange"))),
            stat("Matches active", "Mentee-mentor pairs currently matched.",
                 [T(f"sum({m('engaged_mentor_matches_active')})", "active")]),
            stat("Waiting for a mentor", "Newcomers at risk who qualify for a mentor but wait for "
                 "capacity (same language, capacity left).",
                 [T(f"sum({m('engaged_mentor_matches_waiting')})", "waiting")],
                 thresholds=thresholds("green", (10, "orange"), (50, "red"))),
            stat("Median first response", "Median time from match to the mentor's first message, "
                 "over the time range.",
                 [T(quantile(0.5, frs, "$__range"), "p50")], "s",
                 thresholds=thresholds("green", (14400, "orange"), (86400, "red"))),
            stat("SLA breaches", "Matches whose mentor sent no first message within the SLA, over "
                 "the time range.",
                 [T(f"sum(increase({m('engaged_mentor_sla_breaches_total')}[$__range]))", "breaches")],
                 decimals=0, thresholds=thresholds("green", (1, "orange"))),
            bargauge("Mentor load", "Active mentors by number of current mentees.",
                     [I(f"sum({m('engaged_mentor_load_mentors', mentees=n)})", f"{n} mentees")
                      for n in loads], w=6),
            timeseries("Mentors", "Active and suspended mentors.",
                       [T(f"sum({m('engaged_mentors_active')})", "active"),
                        T(f"sum({m('engaged_mentors_suspended')})", "suspended")], w=6, min=0),
            timeseries("Matches", "Active matches and newcomers waiting for mentor capacity.",
                       [T(f"sum({m('engaged_mentor_matches_active')})", "active"),
                        T(f"sum({m('engaged_mentor_matches_waiting')})", "waiting for capacity")],
                       w=6, min=0),
            timeseries("Matches made per hour", "New matches: first matches of a mentee, and "
                       "re-matches (after a second missed SLA, or a suspended mentor).",
                       [T(f"sum by (kind) (rate({m('engaged_mentor_matches_total')}[$__rate_interval])) * 3600",
                          "{{kind}}")], w=6, min=0),
        ]),
        Row("First response", [
            timeseries("First-response time",
                       "Time from a match to the mentor's first message to the mentee (event "
                       "time), quantiles over all instances.",
                       [T(quantile(q, frs), f"p{int(q * 100)}") for q in (0.5, 0.9, 0.99)],
                       "s", w=8, min=0),
            timeseries("Answered within",
                       "Share of first responses within 1 hour and within 24 hours (the default SLA).",
                       [T(f"sum(rate({m('engaged_mentor_first_response_seconds_bucket', le=le)}[$__rate_interval]))"
                          f" / sum(rate({frc}[$__rate_interval]))", label)
                        for le, label in (("3600", "1 h"), ("86400", "24 h"))],
                       "percentunit", w=8, min=0, max=1),
            timeseries("SLA breaches per hour",
                       "Matches whose SLA ran out without a first message (a reminder goes out; "
                       "after a second SLA the mentee is re-matched). "
                       "EngagedMentorFirstResponseSLABreached watches their share.",
                       [T(f"sum(rate({m('engaged_mentor_sla_breaches_total')}[$__rate_interval])) * 3600",
                          "breaches / h")], w=8, min=0),
        ]),
        Row("Nudges", [
            timeseries("Nudges by kind and outcome",
                       "Decisions per hour: sent, capped (frequency caps), quiet_deferred (quiet "
                       "hours), holdout (recorded, not delivered), suppressed.",
                       [T(f"sum by (kind, outcome) (rate({m('engaged_nudges_total', **kind)}[$__rate_interval])) * 3600",
                          "{{kind}} {{outcome}}")], w=12, min=0, stack=True),
            bargauge("Nudges by outcome", "Decisions over the time range, by outcome.",
                     [I(f"sum by (outcome) (increase({m('engaged_nudges_total', **kind)}[$__range]))",
                        "{{outcome}}")], w=12, decimals=0),
            timeseries("Open rate", "Opened / sent per kind, over the last day of deliveries.",
                       [T(ratio(f"rate({m('engaged_nudges_opened_total', **kind)}[1d])",
                                f"rate({m('engaged_nudges_total', outcome='sent', **kind)}[1d])", "kind"),
                          "{{kind}}")], "percentunit", w=12, min=0),
            timeseries("7-day return rate", "Opened nudges after which the user came back within 7 "
                       "days / opened nudges, per kind, over the last day.",
                       [T(ratio(f"rate({m('engaged_nudge_returns_total', **kind)}[1d])",
                                f"rate({m('engaged_nudges_opened_total', **kind)}[1d])", "kind"),
                          "{{kind}}")], "percentunit", w=12, min=0),
        ]),
        Row("Holdout uplift", [
            stat("D7 uplift", "D7 retention of treated users minus that of the holdout (share of "
                 "users; 0.05 = 5 points).", [T(uplift("retained", "7d"), "D7")], "percentunit",
                 w=8, decimals=1, thresholds=thresholds("red", (0, "orange"), (0.01, "green"))),
            stat("D30 uplift", "D30 retention of treated users minus that of the holdout.",
                 [T(uplift("retained", "30d"), "D30")], "percentunit", w=8, decimals=1,
                 thresholds=thresholds("red", (0, "orange"), (0.01, "green"))),
            stat("7-day return uplift", "Share returned within 7 days, treated minus holdout.",
                 [T(uplift("returned"), "returned")], "percentunit", w=8, decimals=1,
                 thresholds=thresholds("red", (0, "orange"), (0.01, "green"))),
            timeseries("D7 retention by arm", "Retained / entered users of the mentoring program, "
                       "treated and holdout (nothing delivered).",
                       [T(arm_ratio("retained", "7d"), "{{arm}}")], "percentunit", w=8, min=0),
            timeseries("D30 retention by arm", "As D7, for 30 days.",
                       [T(arm_ratio("retained", "30d"), "{{arm}}")], "percentunit", w=8, min=0),
            timeseries("Returned within 7 days by arm", "Returned within 7 days / entered (7d).",
                       [T(arm_ratio("returned"), "{{arm}}")], "percentunit", w=8, min=0),
            timeseries("Users in the program", "Users who entered the program, by arm and window.",
                       [T(f"sum by (arm, window) ({m('engaged_program_entered_users', program='mentoring')})",
                          "{{arm}} {{window}}")], w=24, h=7, min=0),
        ]),
    ]
    variables = job_instance_vars() + [
        query_var("kind", "Nudge kind", 'label_values(engaged_nudges_total{job=~"$job"}, kind)'),
    ]
    return dashboard("engaged-mentor", "engaged / Mentor program",
                     "Mentors, their load and first-response time, matches, nudges by kind and "
                     "outcome, and the uplift over the holdout.", rows, variables)


# ---- 4. Pipeline health -----------------------------------------------------------------------

def pipeline():
    consumed = m("engaged_events_consumed_total")
    rejected = m("engaged_events_rejected_total")
    lat = m("engaged_event_end_to_end_latency_seconds_bucket")
    rows = [
        Row("Overview", [
            stat("Instances up", "engaged targets Prometheus scrapes successfully.",
                 [T(f'sum(up{{{BASE}}})', "up")], decimals=0,
                 thresholds=thresholds("red", (1, "green"))),
            stat("Events in", "Input messages consumed per second, all instances.",
                 [T(f"sum(rate({consumed}[$__rate_interval]))", "events/s")], "cps"),
            stat("Dead-lettered", "Share of the input rejected to the dead-letter topic over the "
                 "time range.",
                 [T(f"sum(increase({rejected}[$__range])) / sum(increase({consumed}[$__range]))",
                    "rejected")], "percentunit", decimals=2,
                 thresholds=thresholds("green", (0.01, "orange"), (0.05, "red"))),
            stat("Consumer lag", "Messages behind the high watermarks, all partitions.",
                 [T(f"sum(max by (partition) ({m('engaged_consumer_lag_messages')}))", "lag")],
                 thresholds=thresholds("green", (1000, "orange"), (100000, "red"))),
            stat("p99 end-to-end latency", "Kafka message timestamp to applied, 99th percentile "
                 "over the time range.", [T(quantile(0.99, lat, "$__range"), "p99")], "s",
                 thresholds=thresholds("green", (5, "orange"), (30, "red"))),
            stat("State size", "RocksDB live data plus memtables, all instances.",
                 [T(f"sum({m('engaged_state_live_data_bytes')})", "state")], "bytes"),
        ]),
        Row("Throughput", [
            timeseries("Events per second",
                       "Consumed (read), processed (accepted and applied) and duplicates (dropped). "
                       "Forgotten: entries of very busy users' lists dropped early (docs/events.md, "
                       "Limits per user): a bot or a load test under one user_id.",
                       [T(f"sum(rate({consumed}[$__rate_interval]))", "consumed"),
                        T(f"sum(rate({m('engaged_events_processed_total')}[$__rate_interval]))", "processed"),
                        T(f"sum(rate({m('engaged_events_duplicate_total')}[$__rate_interval]))", "duplicates"),
                        T(f"sum(rate({m('engaged_user_entries_forgotten_total')}[$__rate_interval]))",
                          "forgotten")],
                       "cps", w=8, min=0),
            timeseries("Consumed per instance", "Input messages per second by instance.",
                       [T(f"sum by (instance) (rate({consumed}[$__rate_interval]))", "{{instance}}")],
                       "cps", w=8, min=0),
            timeseries("Rejected by reason",
                       "Messages sent to the dead-letter topic per second, by reason (docs/events.md).",
                       [T(f"sum by (reason) (rate({rejected}[$__rate_interval]))", "{{reason}}")],
                       "cps", w=8, min=0, stack=True),
            timeseries("Dead-letter share", "Rejected / consumed. EngagedDeadLetterRateHigh fires "
                       "above 1 %.",
                       [T(f"sum(rate({rejected}[$__rate_interval])) / sum(rate({consumed}[$__rate_interval]))",
                          "rejected share")], "percentunit", w=12, min=0),
            timeseries("Input gaps", "Offsets the input skipped (data lost before it was read, e.g. "
                       "retention on the topic).",
                       [T(f"sum(increase({m('engaged_input_skipped_messages_total')}[$__rate_interval]))",
                          "skipped messages"),
                        T(f"sum(increase({m('engaged_input_offset_gaps_total')}[$__rate_interval]))", "gaps")],
                       w=12, min=0),
        ]),
        Row("Lag and latency", [
            timeseries("Consumer lag per partition", "High watermark minus the next offset to apply. "
                       "EngagedConsumerLagGrowing fires when the total keeps growing.",
                       [T(f"max by (partition) ({m('engaged_consumer_lag_messages')})", "partition {{partition}}")],
                       w=12, min=0, stack=True),
            timeseries("End-to-end latency", "Kafka message timestamp to the event being applied. "
                       "EngagedEndToEndLatencyHigh fires when p99 stays above 30 s.",
                       [T(quantile(q, lat), f"p{int(q * 100)}") for q in (0.5, 0.9, 0.99)],
                       "s", w=12, min=0),
            timeseries("Batch processing time", "Decode and apply time of one polled batch.",
                       [T(quantile(q, m("engaged_batch_processing_duration_seconds_bucket")), f"p{int(q * 100)}")
                        for q in (0.5, 0.99)], "s", w=12, min=0),
            timeseries("Event time behind the wall clock",
                       "Wall clock minus the newest accepted event time (a replay of old data "
                       "shows its age; live input, the delay of the producers). Instances that "
                       "have not seen an event yet (stream time 0) are left out.",
                       [T(f"time() - max({m('engaged_stream_time_seconds')} > 0)", "behind")],
                       "s", w=12, min=0),
        ]),
        Row("State and checkpoints", [
            timeseries("Checkpoint duration", "Flush dead letters and sinks, then one RocksDB write "
                       "batch with the state and offsets.",
                       [T(quantile(q, m("engaged_checkpoint_duration_seconds_bucket")), f"p{int(q * 100)}")
                        for q in (0.5, 0.99)], "s", w=8, min=0),
            timeseries("Checkpoint size", "Size of a checkpoint's write batch.",
                       [T(quantile(q, m("engaged_checkpoint_size_bytes_bucket")), f"p{int(q * 100)}")
                        for q in (0.5, 0.99)], "bytes", w=8, min=0),
            timeseries("RocksDB size", "Live SST data plus memtables per instance.",
                       [T(f"sum by (instance) ({m('engaged_state_live_data_bytes')})", "{{instance}}")],
                       "bytes", w=8, min=0),
            timeseries("State memory", "What the state holds in memory, by table, over all "
                       "instances; each instance's tables together stay within its "
                       "state.memory_budget (the user cache gets what the others leave).",
                       [T(f"sum by (table) ({m('engaged_state_memory_bytes')})", "{{table}}")],
                       "bytes", w=8, min=0),
            timeseries("Users in memory", "Users whose state is cached (bounded by "
                       "state.cache_max_users and the user cache's share of state.memory_budget).",
                       [T(f"sum by (instance) ({m('engaged_state_cached_users')})", "{{instance}}")],
                       w=8, min=0),
            timeseries("Assigned partitions", "Input partitions each instance owns.",
                       [T(f"sum by (instance) ({m('engaged_assigned_partitions')})", "{{instance}}")],
                       w=8, min=0, decimals=0),
        ]),
        Row("Outbox", [
            timeseries("Outbox depth", "Decided nudges and program records not yet delivered, by "
                       "sink. EngagedOutboxNotDraining fires when a sink delivers nothing for 15 min.",
                       [T(f"sum by (sink) ({m('engaged_outbox_entries')})", "{{sink}}")], w=8, min=0),
            timeseries("Outbox deliveries", "Entries delivered per second, by sink.",
                       [T(f"sum by (sink) (rate({m('engaged_outbox_delivered_total')}[$__rate_interval]))",
                          "{{sink}}")], "cps", w=8, min=0),
            timeseries("Program records pending", "Program records waiting to be processed.",
                       [T(f"sum({m('engaged_program_pending_records')})", "pending")], w=8, min=0),
        ]),
        Row("Changelog and restores", [
            timeseries("Changelog writes", "Bytes per second each instance writes to its "
                       "changelog partitions (before compression): redo records of each "
                       "checkpoint, then the newest value of each changed key.",
                       [T(f"sum by (instance) (rate({m('engaged_changelog_bytes_total')}[$__rate_interval]))",
                          "{{instance}}")], "Bps", w=8, min=0),
            timeseries("Partitions restoring", "Partitions being restored from their changelog "
                       "before their input resumes (after a move, a restart or on a new node).",
                       [T(f"sum by (instance) ({m('engaged_restoring_partitions')})", "{{instance}}")],
                       w=8, min=0, decimals=0),
            timeseries("Restore reads", "Changelog records read per second by restores, per "
                       "instance (engaged_restore_duration_seconds holds how long each took).",
                       [T(f"sum by (instance) (rate({m('engaged_restore_records_total')}[$__rate_interval]))",
                          "{{instance}}")], "cps", w=8, min=0),
        ]),
    ]
    return dashboard("engaged-pipeline", "engaged / Pipeline health",
                     "Events in, rejections, consumer lag, latency, checkpoints, state size, the "
                     "outbox, the changelog and restores.", rows, job_instance_vars(), "now-1h",
                     "30s")


DASHBOARDS = {
    "engaged-overview.json": overview,
    "engaged-retention.json": retention,
    "engaged-mentor.json": mentor,
    "engaged-pipeline.json": pipeline,
}


def render(make):
    return json.dumps(make(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv):
    check = "--check" in argv
    stale = []
    for name, make in DASHBOARDS.items():
        path = os.path.join(OUT, name)
        text = render(make)
        if check:
            with open(path, encoding="utf-8") as f:
                if f.read() != text:
                    stale.append(name)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            print(f"wrote {os.path.relpath(path)}")
    if stale:
        print(f"stale: {', '.join(stale)}: run python3 dashboards/generate.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
