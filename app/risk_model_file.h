// The churn-risk model file `train` writes and `run`, `replay` and `report risk` read: `bias: x`
// and `weights: {feature name: w, ...}` (YAML).
#pragma once

#include <string>

#include "processors/program/churn_risk.h"

namespace engaged {

// Unknown feature names are an error (std::invalid_argument naming it).
RiskModel load_risk_model(const std::string& path);

}  // namespace engaged
