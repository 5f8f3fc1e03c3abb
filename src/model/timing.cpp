#include "schema/timing.hpp"

#include <cstdio>
#include <cstdlib>

namespace schema {

namespace {
bool enabled() {
    static const bool on = std::getenv("SCHEMA_TIMING") != nullptr;
    return on;
}
}  // namespace

PhaseTimer::PhaseTimer(std::string name) : name_(std::move(name)), start_(std::chrono::steady_clock::now()) {}

PhaseTimer::~PhaseTimer() {
    if (!enabled()) return;
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
    std::fprintf(stderr, "[timing] %-28s %9.1f ms\n", name_.c_str(), ms);
}

}  // namespace schema
