#include "core/error.h"

namespace ccsim {

std::string where(const SourcePos& pos) {
  std::string out = pos.file.empty() ? std::string("<input>") : pos.file;
  if (pos.line > 0) {
    out.append(":").append(std::to_string(pos.line));
    if (pos.column > 0) out.append(":").append(std::to_string(pos.column));
  }
  out.append(": ");
  return out;
}

}  // namespace ccsim
