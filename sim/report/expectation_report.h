// The outputs of `ccsim check`: text for people, JSON, and JUnit XML for CI
// systems (one testsuite per file, one testcase per expectation).
#pragma once

#include <string>
#include <vector>

#include "scenario/expectations.h"

namespace ccsim {

// One line per failed case (with its replay command), then exactly
// "N passed, M failed".
std::string render_check_text(const std::vector<ExpectationFile>& files);
std::string render_check_json(const std::vector<ExpectationFile>& files);
std::string render_junit(const std::vector<ExpectationFile>& files);

}  // namespace ccsim
