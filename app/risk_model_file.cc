#include "app/risk_model_file.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <sstream>
#include <stdexcept>

namespace engaged {
namespace {

int feature_of(const std::string& path, const std::string& name) {
  const int i = risk_feature_of_name(name);
  if (i < 0) throw std::invalid_argument("risk model " + path + ": unknown feature " + name);
  return i;
}

}  // namespace

RiskModel load_risk_model(const std::string& path) {
  RiskModel m;
  m.weights.fill(0);
  m.mean.fill(0);
  m.scale.fill(1);
  const YAML::Node root = YAML::LoadFile(path);
  const int format = root["format"] ? root["format"].as<int>() : 1;
  if (format != 1 && format != 2)
    throw std::invalid_argument(fmt::format(
        "risk model {}: format {} is newer than this release reads (1 and 2)", path, format));
  if (root["bias"]) m.bias = root["bias"].as<double>();
  if (format == 1) {
    for (const auto& kv : root["weights"])
      m.weights[feature_of(path, kv.first.as<std::string>())] = kv.second.as<double>();
    return m;
  }
  for (const auto& name : root["actions"]) m.actions.push_back(name.as<std::string>());
  for (const auto& kv : root["features"]) {
    const std::string name = kv.first.as<std::string>();
    const int i = feature_of(path, name);
    for (const auto& field : kv.second) {
      const std::string key = field.first.as<std::string>();
      const double v = field.second.as<double>();
      if (key == "weight")
        m.weights[i] = v;
      else if (key == "mean")
        m.mean[i] = v;
      else if (key == "scale" && v > 0)
        m.scale[i] = v;
      else
        throw std::invalid_argument(fmt::format(
            "risk model {}: feature {}: {} must be weight, mean or scale (> 0)", path, name, key));
    }
  }
  return m;
}

std::string format_risk_model(const RiskModel& m, const std::string& comment) {
  std::string out;
  std::istringstream lines(comment);
  for (std::string line; std::getline(lines, line);) out += "# " + line + "\n";
  out += "format: 2\n";
  if (!m.actions.empty()) {
    YAML::Emitter list;
    list << YAML::Flow << YAML::BeginSeq;
    for (const auto& name : m.actions) list << YAML::DoubleQuoted << name;
    list << YAML::EndSeq;
    out += fmt::format("actions: {}\n", list.c_str());
  }
  out += fmt::format("bias: {:.6f}\nfeatures:\n", m.bias);
  for (int i = 0; i < kRiskFeatureCount; ++i)
    out += fmt::format("  {}: {{weight: {:.6f}, mean: {:.6f}, scale: {:.6f}}}\n",
                       risk_feature_name(i), m.weights[i], m.mean[i], m.scale[i]);
  return out;
}

}  // namespace engaged
