#include "scenario/files.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace ccsim {

namespace fs = std::filesystem;

std::string read_input_file(const std::string& path, size_t bytes_max, const std::string& what) {
  std::error_code ec;
  if (fs::is_directory(path, ec))
    throw InputError(SourcePos{path, 0, 0}, "this is a folder, not a " + what + " file");
  auto too_large = [&] {
    return InputError(SourcePos{path, 0, 0},
                      "the file is larger than " + std::to_string(bytes_max) +
                          " bytes (--input-bytes-max); a " + what + " is much smaller");
  };
  // A regular file's size is known before reading it; anything else (a
  // pipe) is read no further than one byte past the limit.
  if (fs::is_regular_file(path, ec)) {
    auto size = fs::file_size(path, ec);
    if (!ec && size > bytes_max) throw too_large();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError(SourcePos{path, 0, 0},
                     "cannot open the file: " + std::string(std::strerror(errno)));
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > bytes_max) throw too_large();
  }
  return text;
}

bool is_spec_path(const std::string& path) {
  return path.size() > 5 && path.compare(path.size() - 5, 5, ".spec") == 0;
}

SpecFile load_spec(const std::string& path, size_t bytes_max) {
  return parse_spec(read_input_file(path, bytes_max, "spec"), path);
}

}  // namespace ccsim
