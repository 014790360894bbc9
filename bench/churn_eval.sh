#!/usr/bin/env bash
# How well churn risk predicts churn, on two populations that behave differently: the app
# flavour of loadgen (users at their own pace, churners fade out) and the course flavour
# (weekly deadlines, bursts, dropouts after missed deadlines, completers who leave).
# For each: `engaged train` (observations at user ages 7/14/21/28 and weekly, label = no
# activity in the next 14 days, hold-out = later days and other users) and the built-in
# weights judged on every observation; then a fit on both flavours pooled; then
# bench/churn_eval.py: a recency rule, the fitted linear model and XGBoost trees, each fitted
# on one flavour and judged on both; and, with each flavour's action names counted
# (risk.actions), judged on their own flavour. Figures: docs/churn.md.
# Usage: bench/churn_eval.sh [users] [days]   (BIN=path/to/engaged; PY=python with numpy and,
# for the trees, xgboost: apt-get install python3-xgboost)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BIN=${BIN:-$here/../build/engaged}
users=${1:-20000}
days=${2:-60}
# The built-in weights were fitted on seed 7 (the pooled fit below); judge them on another.
seed=${SEED:-8}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Action names counted per flavour (risk.actions) for the action-count features.
declare -A actions=([app]=open_lesson,complete_lesson,post_comment,play_audio
                    [course]=take_quiz,download_notes,submit_assignment,watch_video)
args=()
for flavour in app course; do
  "$BIN" loadgen --flavour "$flavour" --users "$users" --days "$days" --end 2026-06-30 --seed "$seed" \
    -o "$work/$flavour.ndjson" 2>/dev/null
  echo "== $flavour: engaged train"
  "$BIN" train -i "$work/$flavour.ndjson" --examples-out "$work/$flavour.csv" \
    -o "$work/$flavour.model" | sed -n '1,7p'
  echo "== $flavour: built-in weights on every observation"
  "$BIN" train -i "$work/$flavour.ndjson" --evaluate builtin | sed -n '2,3p'
  echo "== $flavour: engaged train --set risk.actions=${actions[$flavour]}"
  "$BIN" train -i "$work/$flavour.ndjson" --set "risk.actions=${actions[$flavour]}" \
    --examples-out "$work/$flavour-actions.csv" -o "$work/$flavour-actions.model" | sed -n '2,7p'
  args+=("$flavour=$work/$flavour.csv:$work/$flavour.model")
  args+=("$flavour+actions=$work/$flavour-actions.csv:$work/$flavour-actions.model")
done
echo "== both flavours pooled (the built-in weights are this fit with SEED=7)"
"$BIN" train -i "$work/app.ndjson" -i "$work/course.ndjson" \
  --without aha_not_reached,streak_broken,ticket_over_sla,nps_detractor,no_mentor | sed -n '2,7p'
echo "== fitted on one flavour, judged on both"
"${PY:-/usr/bin/python3}" "$here/churn_eval.py" "${args[@]}"
