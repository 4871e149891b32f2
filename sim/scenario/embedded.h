// Files of scenarios/ compiled into the binary (generated at build time by
// cmake/embed.cmake), so that ccsim runs from any directory.
#pragma once

#include <string_view>
#include <vector>

namespace ccsim {

struct EmbeddedFile {
  std::string_view name;  // path below scenarios/, e.g. "mitigations/none.toml"
  std::string_view text;
};

// Returns every embedded file, sorted by name.
const std::vector<EmbeddedFile>& embedded_files();

}  // namespace ccsim
