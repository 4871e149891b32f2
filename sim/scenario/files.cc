#include "scenario/files.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
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

namespace {

bool names_utc(std::string zone) {
  for (char& c : zone) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (zone.rfind("etc/", 0) == 0) zone = zone.substr(4);
  for (const char* utc :
       {"utc", "uct", "gmt", "gmt0", "gmt+0", "gmt-0", "universal", "zulu", "greenwich", "default"})
    if (zone == utc) return true;
  return false;
}

bool mentions_timestamptz(std::string sql) {
  for (char& c : sql) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return sql.find("timestamptz") != std::string::npos ||
         sql.find("with time zone") != std::string::npos;
}

}  // namespace

// ---- Rule: a spec's timestamptz values are UTC's -------------------------------
// The tester's libpq sends PGTZ as its sessions' TimeZone, which a
// timestamp with time zone prints in (and a timestamp converts through);
// ccsim's sessions run in UTC. Under another zone a spec that names the
// type is refused where it first does, rather than printed in UTC.
SpecFile load_spec(const std::string& path, size_t bytes_max) {
  SpecFile spec = parse_spec(read_input_file(path, bytes_max, "spec"), path);
  const char* tz = std::getenv("PGTZ");
  if (tz && !*tz)  // the server refuses it: the tester cannot connect
    throw InputError(SourcePos{"PGTZ", 0, 0}, "invalid value for parameter \"TimeZone\": \"\"");
  if (!tz || names_utc(tz)) return spec;
  auto refuse = [&](const SourcePos& at) {
    throw InputError(at, std::string("PGTZ is '") + tz +
                             "': ccsim's sessions run in UTC, and this spec's timestamp with "
                             "time zone values would print in UTC where the tester prints "
                             "them in that zone (unset PGTZ, or set it to UTC)");
  };
  for (const std::string& sql : spec.setup_sql)
    if (mentions_timestamptz(sql)) refuse(SourcePos{path, 0, 0});
  for (const SpecSession& session : spec.sessions)
    if (mentions_timestamptz(session.setup_sql) || mentions_timestamptz(session.teardown_sql))
      refuse(SourcePos{path, 0, 0});
  for (const SpecStep& step : spec.steps)
    if (mentions_timestamptz(step.sql)) refuse(step.pos);
  return spec;
}

}  // namespace ccsim
