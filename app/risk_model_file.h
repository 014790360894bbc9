// The churn-risk model file `train` writes and `run`, `replay` and `report risk` read (YAML).
// Version 3: version 2 and `cohort: {ages_from: [0, 7, ...], active_days_30: [[31 counts] per
// age band]}`, the reference of activity_percentile_at_age (CohortReference).
// Version 2: `format: 2`, `actions: [the risk.actions it was trained with]`, `bias: x` and
// `features: {name: {weight: w, mean: m, scale: s}}`.
// Version 1 (no format line): `bias: x` and `weights: {name: w}`, read as mean 0 and scale 1,
// so a model trained by the previous release scores exactly as it did.
#pragma once

#include <string>

#include "processors/program/churn_risk.h"

namespace engaged {

// Unknown feature names, formats and fields are errors (std::invalid_argument naming them);
// features the file does not name have weight 0.
RiskModel load_risk_model(const std::string& path);
// Version 3 text when the model has a cohort reference, else version 2 (which the previous
// release reads), after `comment` lines (each prefixed with "# ").
std::string format_risk_model(const RiskModel& model, const std::string& comment);

}  // namespace engaged
