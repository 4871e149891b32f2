// ccsim merge: adds up the shard results of one exploration (ccsim explore
// --shard I/N) into exactly the report one run would print, or those of one
// load run (ccsim load --shard I/N) into the report one process would print.
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "load/load_report.h"
#include "report/explore_report.h"
#include "report/json.h"

namespace ccsim {

namespace {

struct MergeOptions {
  std::vector<std::string> files;
  std::string format = "text";
  size_t input_bytes_max = size_t{1} << 30;
};

std::string read_file(const std::string& path, size_t bytes_max) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) throw InputError(SourcePos{path, 0, 0}, "cannot read the file");
  if (static_cast<size_t>(f.tellg()) > bytes_max)
    throw InputError(SourcePos{path, 0, 0}, "the file is larger than --input-bytes-max");
  f.seekg(0);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Shards of one `ccsim load --shard` run.
int merge_load(const MergeOptions& o) {
  std::vector<LoadShardFile> shards;
  for (const std::string& path : o.files)
    shards.push_back(read_load_shard(read_file(path, o.input_bytes_max), path));
  auto [h, runs] = merge_load_shards(shards, o.files);
  std::cout << (o.format == "json"  ? render_load_json(h, runs)
                : o.format == "csv" ? render_load_csv(h, runs)
                                    : render_load_text(h, runs));
  return 0;
}

int merge(const MergeOptions& o) {
  if (read_file(o.files.front(), o.input_bytes_max).find("\"ccsim-load-shard/1\"") !=
      std::string::npos)
    return merge_load(o);
  if (o.format == "csv")
    throw InputError(SourcePos{"--format", 0, 0}, "csv is for ccsim load shards only");
  std::vector<ExploreShardFile> shards;
  for (const std::string& path : o.files)
    shards.push_back(read_explore_shard(read_file(path, o.input_bytes_max), path));
  // The shards must be all of one run: the same scenario, request count and
  // shard count, each index exactly once.
  const ExploreShardFile& first = shards.front();
  size_t count = first.header.shard->count;
  std::vector<std::string> seen(count);
  for (size_t k = 0; k < shards.size(); ++k) {
    const ExploreHeader& h = shards[k].header;
    if (h.file != first.header.file || h.title != first.header.title ||
        h.requests != first.header.requests || h.shard->count != count)
      throw InputError(SourcePos{o.files[k], 0, 0},
                       "this shard is of another run than " + o.files[0] +
                           " (scenario, --requests or shard count differ)");
    if (!seen[h.shard->index].empty())
      throw InputError(SourcePos{o.files[k], 0, 0}, "shard " + std::to_string(h.shard->index) +
                                                        "/" + std::to_string(count) +
                                                        " is also in " + seen[h.shard->index]);
    seen[h.shard->index] = o.files[k];
  }
  for (size_t i = 0; i < count; ++i)
    if (seen[i].empty())
      throw InputError(SourcePos{"merge", 0, 0},
                       "shard " + std::to_string(i) + "/" + std::to_string(count) +
                           " is missing: every shard of the run is needed");
  std::vector<std::vector<Exploration>> parts;
  for (const ExploreShardFile& f : shards) parts.push_back(f.explorations);
  std::vector<Exploration> es = merge_explorations(parts);
  ExploreHeader h = first.header;
  h.shard.reset();
  std::cout << (o.format == "json" ? render_explore_json(h, es) : render_explore_text(h, es));
  return 0;
}

}  // namespace

void setup_merge(CLI::App& app, Action& chosen) {
  auto o = std::make_shared<MergeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "merge",
      "Add up the shard results of one 'ccsim explore --shard I/N' or 'ccsim load --shard I/N'\n"
      "run (every shard, each once) into the report a single run prints.");
  cmd->add_option("files", o->files, "The shards' JSON files")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--format", o->format, "Output format")
      ->check(CLI::IsMember({"text", "json", "csv"}))
      ->capture_default_str();
  cmd->add_option("--input-bytes-max", o->input_bytes_max, "Refuse files larger than this")
      ->check(CLI::Range(size_t{1}, size_t{1} << 34))
      ->capture_default_str();
  cmd->callback([o, &chosen] { chosen = [o] { return merge(*o); }; });
}

}  // namespace ccsim
