#!/bin/bash
# The property test's long mode: many random cases (diff, apply, rollback in both
# dialects; see tests/property_test.cpp). Usage from the checkout, after a build:
#   bench/property.sh [CASES] [SEED]      (defaults: 5000 cases, seed from the clock)
# Prints every failing case (one line each) when SCHEMA_PROPERTY_KEEP_GOING=1, else
# the first failure, shrunk, with everything needed to reproduce it.
set -euo pipefail
cases=${1:-5000}
seed=${2:-$(date +%s)}
echo "property test: $cases cases from seed $seed"
SCHEMA_PROPERTY_CASES=$cases SCHEMA_PROPERTY_SEED=$seed \
  exec "$(dirname "$0")/../build/tests/schema_tests" -tc='property: diff*'
