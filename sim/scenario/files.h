// Reading the user's files: scenarios and isolation-tester specs. The one
// place the scenario layer reads a file, so every input is refused the same
// way before it is read whole: too large, a folder, unreadable, or not text.
#pragma once

#include <cstddef>
#include <string>

#include "spec/spec.h"

namespace ccsim {

// Returns the contents of `path`. Throws InputError naming the file when it
// cannot be opened, is a folder, or holds more than bytes_max bytes (checked
// before reading: a huge file is refused without being loaded). `what`
// names the kind of file in the messages ("scenario", "spec").
std::string read_input_file(const std::string& path, size_t bytes_max, const std::string& what);

// Whether `path` names an isolation-tester spec (ends in .spec), not a
// scenario.
bool is_spec_path(const std::string& path);

// Reads and parses an isolation-tester spec file. Throws InputError.
SpecFile load_spec(const std::string& path, size_t bytes_max = 4u << 20);

}  // namespace ccsim
