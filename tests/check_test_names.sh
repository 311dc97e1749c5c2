#!/bin/sh
# catch_discover_tests registers each Catch2 case with ctest by name and splits names at
# ';' (a CMake list separator), so a case whose name holds one never runs under ctest.
# Fails, naming the lines, when any TEST_CASE name in tests/ contains ';'.
cd "$(dirname "$0")" || exit 2
if grep -rnE 'TEST_CASE\("[^"]*;' --include='*.cpp' .; then
  echo "check_test_names: the TEST_CASE names above contain ';' (ctest would never run them)" >&2
  exit 1
fi
exit 0
