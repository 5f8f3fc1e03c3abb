// Phase timings on stderr when SCHEMA_TIMING is set: where the time of a command
// goes (parse, inspect, diff, plan, proof), for benchmarks and bug reports.
#pragma once

#include <chrono>
#include <string>

namespace schema {

class PhaseTimer {
public:
    explicit PhaseTimer(std::string name);
    ~PhaseTimer();
    PhaseTimer(const PhaseTimer&) = delete;
    PhaseTimer& operator=(const PhaseTimer&) = delete;

private:
    std::string name_;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace schema
