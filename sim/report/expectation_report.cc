#include "report/expectation_report.h"

#include <nlohmann/json.hpp>

#include "report/text.h"

namespace ccsim {

namespace {

struct Counts {
  size_t passed = 0, failed = 0;
};

Counts count(const std::vector<ExpectationFile>& files) {
  Counts c;
  for (const ExpectationFile& f : files)
    for (const ExpectationCase& k : f.cases) (k.failures.empty() ? c.passed : c.failed)++;
  return c;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : "; ") + s;
  return out;
}

}  // namespace

std::string render_check_text(const std::vector<ExpectationFile>& files) {
  std::string out;
  for (const ExpectationFile& f : files)
    for (const ExpectationCase& c : f.cases)
      if (!c.failures.empty())
        out += "FAIL " + where(c.pos) + c.name + ": " + joined(c.failures) +
               "\n     replay: " + c.replay + "\n";
  Counts n = count(files);
  return out + std::to_string(n.passed) + " passed, " + std::to_string(n.failed) + " failed\n";
}

std::string render_check_json(const std::vector<ExpectationFile>& files) {
  using Json = nlohmann::ordered_json;
  Json fs = Json::array();
  for (const ExpectationFile& f : files) {
    Json cases = Json::array();
    for (const ExpectationCase& c : f.cases)
      cases.push_back({{"name", c.name},
                       {"line", c.pos.line},
                       {"passed", c.failures.empty()},
                       {"failures", c.failures},
                       {"replay", c.replay}});
    fs.push_back({{"file", f.file}, {"cases", cases}});
  }
  Counts n = count(files);
  Json doc = {
      {"format", "ccsim-check/1"}, {"files", fs}, {"passed", n.passed}, {"failed", n.failed}};
  return doc.dump(2) + "\n";
}

std::string render_junit(const std::vector<ExpectationFile>& files) {
  Counts n = count(files);
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"ccsim check\" tests=\"" +
      std::to_string(n.passed + n.failed) + "\" failures=\"" + std::to_string(n.failed) + "\">\n";
  for (const ExpectationFile& f : files) {
    Counts fc = count({f});
    out += "  <testsuite name=\"" + xml_escape(f.file) + "\" tests=\"" +
           std::to_string(f.cases.size()) + "\" failures=\"" + std::to_string(fc.failed) + "\">\n";
    for (const ExpectationCase& c : f.cases) {
      out += "    <testcase classname=\"" + xml_escape(f.file) + "\" name=\"" + xml_escape(c.name) +
             "\"";
      if (c.pos.line) out += " line=\"" + std::to_string(c.pos.line) + "\"";
      if (c.failures.empty()) {
        out += "/>\n";
        continue;
      }
      out += ">\n      <failure message=\"" + xml_escape(joined(c.failures)) + "\">" +
             xml_escape(joined(c.failures)) + "\nreplay: " + xml_escape(c.replay) +
             "</failure>\n    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  return out + "</testsuites>\n";
}

}  // namespace ccsim
