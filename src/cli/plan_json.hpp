// A proposal as data for scripts (`diff --print --json`, `diff --json`,
// `push --json`): docs/json.md describes every field.
#pragma once

#include <nlohmann/json.hpp>

#include "schema/pipeline.hpp"

namespace schema::cli {

nlohmann::json plan_json(const Proposal& g);

}  // namespace schema::cli
