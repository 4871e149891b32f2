#include "serve/static_page.h"

#include "serve/api.h"
#include "serve/server.h"

namespace ccsim {

namespace {

// JSON text made safe inside a <script> element: "</" cannot close it.
std::string script_safe(const std::string& json) {
  std::string out;
  for (size_t i = 0; i < json.size(); ++i) {
    out += json[i];
    if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/') out += "\\";
  }
  return out;
}

// A JSON string's body: quotes and backslashes escaped (names are plain).
std::string json_text(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string render_viewer(const Scenario& s, const std::string& key,
                          const std::vector<MitigationRun>& runs) {
  ServeLimits limits;
  limits.schedule_max = 100000;
  limits.target_bytes_max = size_t{1} << 30;
  Api api({{key, s}}, limits);
  std::string k = url_encode(key);
  std::string data = "{\"scenarios\": " + trimmed(api.get("/api/scenarios").body) +
                     ",\n\"scenario\": " + trimmed(api.get("/api/scenario?name=" + k).body);
  data += ",\n\"summary\": " +
          trimmed(summary_json(key, runs, runs.empty() ? s.isolation : runs.front().isolation));
  data += ",\n\"runs\": {";
  bool first = true;
  for (const MitigationRun& m : runs) {
    std::string iso = m.isolation != s.isolation ? option_name(m.isolation) : "";
    std::string schedule;
    for (const std::string& n : m.run.schedule) schedule += (schedule.empty() ? "" : ",") + n;
    ApiResponse r =
        api.get("/api/run?scenario=" + k + "&mitigation=" + url_encode(m.mitigation->name) +
                (iso.empty() ? "" : "&isolation=" + iso) + "&schedule=" + url_encode(schedule));
    if (r.status != 200) continue;  // cannot happen: the run was just made with this schedule
    data += std::string(first ? "" : ",") + "\n\"" +
            json_text(m.mitigation->name + "|" + iso + "|" + schedule) + "\": " + trimmed(r.body);
    first = false;
  }
  data += "}}";
  std::string page(page_html());
  std::string marker = "<!--ccsim:embedded-->";
  size_t at = page.find(marker);
  if (at == std::string::npos) return page;
  return page.substr(0, at) + "<script>window.CCSIM_EMBEDDED = " + script_safe(data) +
         ";</script>" + page.substr(at + marker.size());
}

}  // namespace ccsim
