#include "core/datestyle.h"

#include <strings.h>

#include <cstdlib>
#include <vector>

#include "core/error.h"

namespace ccsim {

namespace {

thread_local DateStyle g_datestyle;
thread_local std::string g_zone;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// PostgreSQL's SplitIdentifierString with ',' between: identifiers (double
// quotes keep one whole, "" in them is a quote), blanks around them
// skipped; false for an empty item or a missing separator.
bool split_identifiers(const std::string& text, std::vector<std::string>& out) {
  size_t i = 0;
  while (i < text.size() && is_space(text[i])) ++i;
  if (i == text.size()) return true;  // an empty string is an empty list
  for (;;) {
    std::string item;
    if (text[i] == '"') {
      for (++i;; ++i) {
        if (i == text.size()) return false;  // no closing quote
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            item += '"';
            ++i;
            continue;
          }
          ++i;
          break;
        }
        item += text[i];
      }
    } else {
      while (i < text.size() && text[i] != ',' && !is_space(text[i])) item += text[i++];
    }
    if (item.empty()) return false;
    out.push_back(item);
    while (i < text.size() && is_space(text[i])) ++i;
    if (i == text.size()) return true;
    if (text[i] != ',') return false;
    ++i;
    while (i < text.size() && is_space(text[i])) ++i;
    if (i == text.size()) return false;  // a separator with nothing after it
  }
}

bool prefix(const std::string& tok, const char* p, size_t n) {
  return strncasecmp(tok.c_str(), p, n) == 0;
}

const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

// Day of the week of a Gregorian date (0 Sunday), as PostgreSQL's
// j2day(date2j(...)).
int weekday(int y, int m, int d) {
  if (m < 3) {
    m += 12;
    --y;
  }
  // Zeller's congruence: 0 is Saturday.
  int h = (d + 13 * (m + 1) / 5 + y + y / 4 - y / 100 + y / 400) % 7;
  return (h + 6) % 7;
}

}  // namespace

std::variant<DateStyle, std::string> parse_datestyle(const std::string& text) {
  std::vector<std::string> items;
  if (!split_identifiers(text, items)) return std::string("List syntax is invalid.");
  DateStyle s;
  bool have_style = false, have_order = false, ok = true;
  auto set_style = [&](DateStyle::Style st) {
    if (have_style && s.style != st) ok = false;  // conflicting styles
    s.style = st;
    have_style = true;
  };
  auto set_order = [&](DateStyle::Order o) {
    if (have_order && s.order != o) ok = false;
    s.order = o;
    have_order = true;
  };
  for (const std::string& tok : items) {
    if (strcasecmp(tok.c_str(), "ISO") == 0) {
      set_style(DateStyle::Style::kIso);
    } else if (strcasecmp(tok.c_str(), "SQL") == 0) {
      set_style(DateStyle::Style::kSql);
    } else if (prefix(tok, "POSTGRES", 8)) {
      set_style(DateStyle::Style::kPostgres);
    } else if (strcasecmp(tok.c_str(), "GERMAN") == 0) {
      set_style(DateStyle::Style::kGerman);
      if (!have_order) s.order = DateStyle::Order::kDmy;  // unless an order is named
    } else if (strcasecmp(tok.c_str(), "YMD") == 0) {
      set_order(DateStyle::Order::kYmd);
    } else if (strcasecmp(tok.c_str(), "DMY") == 0 || prefix(tok, "EURO", 4)) {
      set_order(DateStyle::Order::kDmy);
    } else if (strcasecmp(tok.c_str(), "MDY") == 0 || strcasecmp(tok.c_str(), "US") == 0 ||
               prefix(tok, "NONEURO", 7)) {
      set_order(DateStyle::Order::kMdy);
    } else if (strcasecmp(tok.c_str(), "DEFAULT") == 0) {
      // The boot value, "ISO, MDY", for the parts not named yet.
      if (!have_style) s.style = DateStyle::Style::kIso;
      if (!have_order) s.order = DateStyle::Order::kMdy;
      have_style = have_order = true;
    } else {
      return "Unrecognized key word: \"" + tok + "\".";
    }
  }
  if (!ok) return std::string("Conflicting \"datestyle\" specifications.");
  return s;
}

std::string datestyle_text(const DateStyle& s) {
  const char* style = s.style == DateStyle::Style::kIso        ? "ISO"
                      : s.style == DateStyle::Style::kSql      ? "SQL"
                      : s.style == DateStyle::Style::kPostgres ? "Postgres"
                                                               : "German";
  const char* order = s.order == DateStyle::Order::kDmy   ? "DMY"
                      : s.order == DateStyle::Order::kYmd ? "YMD"
                                                          : "MDY";
  return std::string(style) + ", " + order;
}

// ---- Rule: a datetime prints in the session's DateStyle -------------------------
// PostgreSQL's EncodeDateOnly and EncodeDateTime: ISO 2008-12-22 and
// 2008-12-22 10:05:00[+00]; SQL 12/22/2008 10:05:00 [UTC]; German
// 22.12.2008 10:05:00 [UTC]; Postgres 12-22-2008 and Mon Dec 22 10:05:00
// 2008 [UTC]. Day first in SQL and Postgres only with DMY (YMD prints as
// MDY there). A timestamptz names its zone, which is UTC in ccsim.
std::string datetime_text(const std::string& iso, ColumnType t, const DateStyle& s) {
  if (s.style == DateStyle::Style::kIso || iso.size() < 10) return iso;
  const std::string year = iso.substr(0, 4), month = iso.substr(5, 2), day = iso.substr(8, 2);
  const bool dmy = s.order == DateStyle::Order::kDmy;
  // The time of day with its seconds' fraction, without a zone: HH:MM:SS[.f].
  std::string clock;
  if (t != ColumnType::kDate && iso.size() > 11) {
    clock = iso.substr(11);
    if (t == ColumnType::kTimestampTz) {
      size_t zone = clock.find_first_of("+-");
      if (zone != std::string::npos) clock.resize(zone);
    }
  }
  const std::string zone = t == ColumnType::kTimestampTz ? " UTC" : "";
  switch (s.style) {
    case DateStyle::Style::kIso:
      return iso;
    case DateStyle::Style::kSql: {
      std::string date = (dmy ? day + "/" + month : month + "/" + day) + "/" + year;
      return t == ColumnType::kDate ? date : date + " " + clock + zone;
    }
    case DateStyle::Style::kGerman: {
      std::string date = day + "." + month + "." + year;
      return t == ColumnType::kDate ? date : date + " " + clock + zone;
    }
    case DateStyle::Style::kPostgres: {
      if (t == ColumnType::kDate) return (dmy ? day + "-" + month : month + "-" + day) + "-" + year;
      const int y = std::atoi(year.c_str()), m = std::atoi(month.c_str()),
                d = std::atoi(day.c_str());
      std::string out = kDays[weekday(y, m, d)];
      out += ' ';
      out += dmy ? day + " " + kMonths[m - 1] : std::string(kMonths[m - 1]) + " " + day;
      return out + " " + clock + " " + year + zone;
    }
  }
  return iso;
}

std::string datetime_text(const std::string& iso, ColumnType t) {
  if (t == ColumnType::kTimestampTz && !g_zone.empty())
    throw InputError(SourcePos{"PGTZ", 0, 0},
                     "PGTZ is '" + g_zone +
                         "': ccsim's sessions run in UTC, and this spec prints a timestamp with "
                         "time zone (or writes one as text), which the tester prints in that "
                         "zone (unset PGTZ, or set it to UTC)");
  return datetime_text(iso, t, g_datestyle);
}

const std::string& foreign_time_zone() {
  return g_zone;
}

TimeZoneScope::TimeZoneScope(const std::string& zone) : before_(g_zone) {
  g_zone = zone;
}

TimeZoneScope::~TimeZoneScope() {
  g_zone = before_;
}

const DateStyle& current_datestyle() {
  return g_datestyle;
}

DateStyleScope::DateStyleScope(const DateStyle& s) : before_(g_datestyle) {
  g_datestyle = s;
}

DateStyleScope::~DateStyleScope() {
  g_datestyle = before_;
}

}  // namespace ccsim
