#!/usr/bin/env python3
"""Judges churn-risk models on the observation CSVs `engaged train --examples-out` writes.

For each flavour: a one-line recency rule (days since active - 0.3 x active days in 30), the
model `engaged train` fitted (its scores are recomputed from the model file's weights), and
gradient-boosted trees (XGBoost, when python3-xgboost is installed) fitted on the same fit
split; then each model fitted on one flavour is judged on the other flavour's observations.
Prints AUC, PR-AUC and the top decile's precision for each. A set named "X+actions" counts X's own action names (risk.actions): its action features mean
something else in another flavour, so it is judged on itself only. Usage:
  churn_eval.py app=app_examples.csv:app.model course=course_examples.csv:course.model
"""
import csv
import math
import sys

import numpy as np


def load(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    head, rows = rows[0], rows[1:]
    feats = head[4:]
    x = np.array([[float(v) for v in r[4:]] for r in rows])
    y = np.array([int(r[3]) for r in rows])
    split = np.array([r[0] for r in rows])
    return feats, x, y, split


def load_model(path, feats):
    """The model's score function and its cohort reference (rows of counts per age band)."""
    bias, w, mean, scale = 0.0, np.zeros(len(feats)), np.zeros(len(feats)), np.ones(len(feats))
    ages, counts = None, []
    for line in open(path):
        line = line.split("#")[0].strip()
        if line.startswith("bias:"):
            bias = float(line.split(":")[1])
        elif line.startswith("ages_from:"):
            ages = [int(v) for v in line.split("[")[1].rstrip("]").split(",")]
        elif line.startswith("- ["):
            counts.append([int(v) for v in line[3:].rstrip("]").split(",")])
        elif ": {" in line:
            name, rest = line.split(": {")
            i = feats.index(name.strip())
            for kv in rest.rstrip("}").split(","):
                k, v = kv.split(":")
                {"weight": w, "mean": mean, "scale": scale}[k.strip()][i] = float(v)
    score = lambda x: 1 / (1 + np.exp(-(bias + ((x - mean) / scale) @ w)))
    return score, (ages, np.array(counts, float)) if ages else None


def with_reference(x, feats, reference):
    """x with activity_percentile_at_age recomputed against another model's cohort reference:
    a model judged on another flavour compares users with the users it was fitted on."""
    if reference is None or "activity_percentile_at_age" not in feats:
        return x
    ages, counts = reference
    age = x[:, feats.index("tenure_days")].astype(int)
    active = np.clip(x[:, feats.index("active_days_30")].astype(int), 0, 30)
    band = np.searchsorted(ages, age, side="right") - 1
    total = counts.sum(axis=1)
    below = np.cumsum(counts, axis=1) - counts  # users of the band below each count
    rows = counts[band, active]
    p = np.where(total[band] > 0, (below[band, active] + 0.5 * rows) / np.maximum(total[band], 1),
                 0.5)
    x = x.copy()
    x[:, feats.index("activity_percentile_at_age")] = p
    return x


def metrics(score, y):
    """AUC (ties count half), average precision, precision of the top tenth."""
    order = np.argsort(-score, kind="stable")
    s, yy = score[order], y[order]
    pos, n = yy.sum(), len(yy)
    if pos == 0 or pos == n:
        return float("nan"), float("nan"), float("nan")
    # Ranks with ties averaged.
    _, inv, counts = np.unique(-s, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    mean_rank = n - (ends - counts + ends - 1) / 2  # ascending rank of each tie group
    auc = (mean_rank[inv][yy == 1].sum() - pos * (pos + 1) / 2) / (pos * (n - pos))
    group_pos = np.bincount(inv, weights=yy)
    ap = float(np.sum(group_pos / pos * np.cumsum(group_pos) / ends))
    top = math.ceil(n / 10)
    return auc, ap, yy[:top].mean()


def main():
    sets = {}
    for arg in sys.argv[1:]:
        name, files = arg.split("=")
        csv_path, model_path = files.split(":")
        feats, x, y, split = load(csv_path)
        linear, reference = load_model(model_path, feats)
        sets[name] = dict(feats=feats, x=x, y=y, split=split, linear=linear, reference=reference)
    try:
        import xgboost as xgb
    except ImportError:
        xgb = None
        print("(python3-xgboost not installed: no gradient-boosted trees)")
    for s in sets.values():
        fit = s["split"] == "fit"
        if xgb:
            m = xgb.XGBClassifier(n_estimators=200, max_depth=4, learning_rate=0.1, subsample=0.8,
                                  n_jobs=2, random_state=1)
            m.fit(s["x"][fit], s["y"][fit])
            s["trees"] = lambda x, m=m: m.predict_proba(x)[:, 1]
        names = s["feats"]
        s["rule"] = lambda x, names=names: (x[:, names.index("days_since_active")]
                                            - 0.3 * x[:, names.index("active_days_30")])

    print(f"{'model':<22} {'fitted on':<10} {'judged on':<28} {'n':>7} {'AUC':>6} {'PR-AUC':>7} "
          f"{'top10%prec':>10}")
    for judged, t in sets.items():
        hold = t["split"] == "later_days_other_users"
        if not hold.any():
            hold = t["split"] == "other_users"
        for model in ("rule", "linear", "trees"):
            for fitted, s in sets.items():
                if model not in s or (fitted != judged and (model == "rule" or "+" in fitted + judged)):
                    continue
                same = fitted == judged
                rows = hold if same else np.ones(len(t["y"]), bool)
                x = t["x"] if same else with_reference(t["x"], t["feats"], s["reference"])
                auc, ap, top = metrics(s[model](x[rows]), t["y"][rows])
                where = f"{judged} (hold-out)" if same else f"{judged} (all)"
                print(f"{model:<22} {'-' if model == 'rule' else fitted:<10} {where:<28} "
                      f"{rows.sum():>7} {auc:>6.3f} {ap:>7.3f} {top:>10.3f}")


if __name__ == "__main__":
    main()
