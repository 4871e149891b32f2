// PostgreSQL's DateStyle: how a date, timestamp or timestamptz prints
// (ISO, SQL, Postgres or German) and which of day and month comes first.
// ccsim holds datetimes as their ISO text (core/sql.h); this writes that
// text in another style where PostgreSQL's output function would.
//
// A run has one DateStyle for all its sessions: ISO, MDY (PostgreSQL's
// default) unless the isolation tester's libpq would set another from
// PGDATESTYLE (spec/tester_output.h). The style in force is per thread, set
// for the length of a run by DateStyleScope.
#pragma once

#include <string>
#include <variant>

#include "core/sql.h"

namespace ccsim {

struct DateStyle {
  enum class Style { kIso, kSql, kPostgres, kGerman };
  enum class Order { kMdy, kDmy, kYmd };
  Style style = Style::kIso;
  Order order = Order::kMdy;
  bool operator==(const DateStyle&) const = default;
};

// Reads a DateStyle setting as PostgreSQL's check_datestyle does: a
// comma-separated list of ISO, SQL, POSTGRES, GERMAN, YMD, DMY (or EURO...),
// MDY (US, NONEURO...) and DEFAULT, any case; a part not named keeps the
// default (ISO, MDY), GERMAN alone also means DMY. Returns the style, or
// the complaint PostgreSQL's DETAIL gives.
std::variant<DateStyle, std::string> parse_datestyle(const std::string& text);
// The setting as SHOW DateStyle prints it: "ISO, MDY", "Postgres, DMY".
std::string datestyle_text(const DateStyle& s);

// A datetime's canonical ISO text (core/sql.h) as type t's output
// function writes it in style s: '2008-12-22' is 12-22-2008 in Postgres,
// MDY; '2008-12-22 10:05:00' is Mon Dec 22 10:05:00 2008; a timestamptz
// (always UTC here) ends in " UTC" outside ISO.
std::string datetime_text(const std::string& iso, ColumnType t, const DateStyle& s);
// The same in the DateStyle in force; a timestamptz under a foreign time
// zone is refused (InputError naming PGTZ).
std::string datetime_text(const std::string& iso, ColumnType t);

// The session time zone in force on this thread when it is not UTC (the
// tester's PGTZ), else empty. ccsim's sessions run in UTC: under another
// zone the two-argument datetime_text refuses a timestamptz (InputError),
// which would print in that zone's digits.
const std::string& foreign_time_zone();
class TimeZoneScope {
 public:
  explicit TimeZoneScope(const std::string& zone);
  ~TimeZoneScope();
  TimeZoneScope(const TimeZoneScope&) = delete;
  TimeZoneScope& operator=(const TimeZoneScope&) = delete;

 private:
  std::string before_;
};

// The DateStyle in force on this thread (ISO, MDY unless a scope set one).
const DateStyle& current_datestyle();
// Sets the DateStyle in force until the scope ends.
class DateStyleScope {
 public:
  explicit DateStyleScope(const DateStyle& s);
  ~DateStyleScope();
  DateStyleScope(const DateStyleScope&) = delete;
  DateStyleScope& operator=(const DateStyleScope&) = delete;

 private:
  DateStyle before_;
};

}  // namespace ccsim
