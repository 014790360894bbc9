#include "app/risk_model_file.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace engaged {
namespace {

int feature_of(const std::string& path, const std::string& name) {
  const int i = risk_feature_of_name(name);
  if (i < 0) throw std::invalid_argument("risk model " + path + ": unknown feature " + name);
  return i;
}

CohortReference read_cohort(const std::string& path, const YAML::Node& node) {
  CohortReference ref;
  if (!node || !node.IsMap())
    throw std::invalid_argument("risk model " + path + ": format 3 needs a cohort section");
  const auto& from = CohortReference::kAgeFrom;
  const auto ages =
      node["ages_from"] ? node["ages_from"].as<std::vector<int>>() : std::vector<int>{};
  if (!std::equal(ages.begin(), ages.end(), from.begin(), from.end()))
    throw std::invalid_argument(
        fmt::format("risk model {}: cohort.ages_from must be [{}]", path, fmt::join(from, ", ")));
  const YAML::Node rows = node["active_days_30"];
  if (!rows.IsSequence() || rows.size() != from.size())
    throw std::invalid_argument(
        fmt::format("risk model {}: cohort.active_days_30 must have one row per age band ({})",
                    path, from.size()));
  for (size_t b = 0; b < from.size(); ++b) {
    const auto counts = rows[b].as<std::vector<uint32_t>>();
    if (counts.size() != ref.counts[b].size())
      throw std::invalid_argument(fmt::format(
          "risk model {}: cohort.active_days_30 row {} must count users with 0 to 30 active days "
          "(31 numbers)",
          path, b + 1));
    std::copy(counts.begin(), counts.end(), ref.counts[b].begin());
  }
  return ref;
}

}  // namespace

RiskModel load_risk_model(const std::string& path) {
  RiskModel m;
  m.weights.fill(0);
  m.mean.fill(0);
  m.scale.fill(1);
  const YAML::Node root = YAML::LoadFile(path);
  const int format = root["format"] ? root["format"].as<int>() : 1;
  if (format < 1 || format > 3)
    throw std::invalid_argument(fmt::format(
        "risk model {}: format {} is not one this release reads (1 to 3)", path, format));
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
  if (format == 3) m.cohort = read_cohort(path, root["cohort"]);
  return m;
}

std::string format_risk_model(const RiskModel& m, const std::string& comment) {
  std::string out;
  std::istringstream lines(comment);
  for (std::string line; std::getline(lines, line);) out += "# " + line + "\n";
  out += m.cohort.empty() ? "format: 2\n" : "format: 3\n";
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
  if (m.cohort.empty()) return out;
  // activity_percentile_at_age's reference: users per age band and active days in their last 30.
  out += fmt::format("cohort:\n  ages_from: [{}]\n  active_days_30:\n",
                     fmt::join(CohortReference::kAgeFrom, ", "));
  for (const auto& band : m.cohort.counts)
    out += fmt::format("    - [{}]\n", fmt::join(band, ", "));
  return out;
}

}  // namespace engaged
