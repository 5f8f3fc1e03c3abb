// Fleet commands (cmd_fleet.cpp), called by apply and status when --fleet is given.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "context.hpp"

namespace schema::cli {

struct FleetArgs {
    std::string pattern;      // --fleet 'tenants/*.db'
    std::optional<int> jobs;  // -j N (default: the machine's cores)
    std::optional<std::int64_t> to;
    bool dry_run = false;
    bool no_backup = false;
};

// The existing files matching a shell pattern, sorted; InputError when none.
std::vector<fs::path> expand_fleet(const std::string& pattern);

int run_fleet_apply(const FleetArgs& a, const Project& p, Output& out);
int run_fleet_status(const FleetArgs& a, const Project& p, Output& out);

}  // namespace schema::cli
