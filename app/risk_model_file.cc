#include "app/risk_model_file.h"

#include <yaml-cpp/yaml.h>

#include <stdexcept>

namespace engaged {

RiskModel load_risk_model(const std::string& path) {
  RiskModel m;
  const YAML::Node root = YAML::LoadFile(path);
  if (root["bias"]) m.bias = root["bias"].as<double>();
  for (const auto& kv : root["weights"]) {
    const auto name = kv.first.as<std::string>();
    const int i = risk_feature_of_name(name);
    if (i < 0) throw std::invalid_argument("risk model: unknown feature " + name);
    m.weights[static_cast<size_t>(i)] = kv.second.as<double>();
  }
  return m;
}

}  // namespace engaged
