// DateStyle (core/datestyle.h): the setting read as PostgreSQL's
// check_datestyle reads it, and datetimes written as its date_out,
// timestamp_out and timestamptz_out write them. Every expected text is
// PostgreSQL 15.18's (psql with PGDATESTYLE set, TimeZone UTC).
#include <catch2/catch.hpp>

#include "core/datestyle.h"

using namespace ccsim;

namespace {

DateStyle style(const std::string& text) {
  auto parsed = parse_datestyle(text);
  REQUIRE(std::holds_alternative<DateStyle>(parsed));
  return std::get<DateStyle>(parsed);
}

std::string complaint(const std::string& text) {
  auto parsed = parse_datestyle(text);
  REQUIRE(std::holds_alternative<std::string>(parsed));
  return std::get<std::string>(parsed);
}

}  // namespace

TEST_CASE("a DateStyle setting reads as PostgreSQL reads it", "[datestyle]") {
  CHECK(datestyle_text(style("Postgres, MDY")) == "Postgres, MDY");
  CHECK(datestyle_text(style("")) == "ISO, MDY");
  CHECK(datestyle_text(style("sql")) == "SQL, MDY");
  CHECK(datestyle_text(style("German")) == "German, DMY");  // German alone is day first
  CHECK(datestyle_text(style("German, MDY")) == "German, MDY");
  CHECK(datestyle_text(style("MDY, German")) == "German, MDY");
  CHECK(datestyle_text(style("euro")) == "ISO, DMY");
  CHECK(datestyle_text(style("postgresql,ymd")) == "Postgres, YMD");
  CHECK(datestyle_text(style("\"ISO\", \"dmy\"")) == "ISO, DMY");
  CHECK(datestyle_text(style("nonEuropean, Postgres")) == "Postgres, MDY");
  CHECK(datestyle_text(style("SQL, default")) == "SQL, MDY");
  // The DETAIL of PostgreSQL's "invalid value for parameter" for each.
  CHECK(complaint("xyz") == "Unrecognized key word: \"xyz\".");
  CHECK(complaint("ISO, SQL") == "Conflicting \"datestyle\" specifications.");
  CHECK(complaint("DMY, MDY") == "Conflicting \"datestyle\" specifications.");
  CHECK(complaint("ISO MDY") == "List syntax is invalid.");
  CHECK(complaint("ISO,,") == "List syntax is invalid.");
  CHECK(complaint("ISO,") == "List syntax is invalid.");
  CHECK(complaint("\"ISO") == "List syntax is invalid.");
}

TEST_CASE("datetimes print in each DateStyle as PostgreSQL prints them", "[datestyle]") {
  const DateStyle pg_mdy = style("Postgres, MDY"), pg_dmy = style("Postgres, DMY"),
                  sql_dmy = style("SQL, DMY"), sql = style("SQL"), german = style("German"),
                  iso = style("ISO, DMY"), pg_ymd = style("Postgres, YMD");
  const ColumnType date = ColumnType::kDate, ts = ColumnType::kTimestamp,
                   tz = ColumnType::kTimestampTz;
  CHECK(datetime_text("2008-12-22", date, pg_mdy) == "12-22-2008");
  CHECK(datetime_text("2008-12-22", date, pg_dmy) == "22-12-2008");
  CHECK(datetime_text("2008-12-22", date, pg_ymd) == "12-22-2008");  // YMD prints as MDY
  CHECK(datetime_text("2008-12-22", date, sql) == "12/22/2008");
  CHECK(datetime_text("2008-12-22", date, sql_dmy) == "22/12/2008");
  CHECK(datetime_text("2008-12-22", date, german) == "22.12.2008");
  CHECK(datetime_text("2008-12-22", date, iso) == "2008-12-22");
  CHECK(datetime_text("2008-12-22 10:05:00", ts, pg_mdy) == "Mon Dec 22 10:05:00 2008");
  CHECK(datetime_text("2008-12-22 10:05:00", ts, pg_dmy) == "Mon 22 Dec 10:05:00 2008");
  CHECK(datetime_text("2008-12-22 10:05:00", ts, sql_dmy) == "22/12/2008 10:05:00");
  CHECK(datetime_text("2008-12-22 10:05:00", ts, german) == "22.12.2008 10:05:00");
  CHECK(datetime_text("2008-12-22 10:05:00+00", tz, iso) == "2008-12-22 10:05:00+00");
  CHECK(datetime_text("2008-12-22 10:05:00.25+00", tz, pg_mdy) ==
        "Mon Dec 22 10:05:00.25 2008 UTC");
  CHECK(datetime_text("2008-12-22 10:05:00+00", tz, sql) == "12/22/2008 10:05:00 UTC");
  CHECK(datetime_text("2008-12-22 10:05:00+00", tz, german) == "22.12.2008 10:05:00 UTC");
  // The day of the week, over the years ccsim reads (1 to 9999).
  const std::pair<const char*, const char*> days[] = {
      {"2000-01-01 00:00:00", "Sat Jan 01 00:00:00 2000"},
      {"1900-03-01 00:00:00", "Thu Mar 01 00:00:00 1900"},
      {"0099-02-28 00:00:00", "Sat Feb 28 00:00:00 0099"},
      {"1752-09-14 00:00:00", "Thu Sep 14 00:00:00 1752"},
      {"2024-02-29 00:00:00", "Thu Feb 29 00:00:00 2024"},
      {"9999-12-31 00:00:00", "Fri Dec 31 00:00:00 9999"},
      {"0001-01-01 01:02:03.5", "Mon Jan 01 01:02:03.5 0001"}};
  for (auto [in, out] : days) CHECK(datetime_text(in, ts, pg_mdy) == out);
}

TEST_CASE("the DateStyle in force is ISO unless a scope sets another", "[datestyle]") {
  CHECK(current_datestyle() == DateStyle{});
  {
    DateStyleScope scope(style("German"));
    CHECK(datetime_text("2008-12-22", ColumnType::kDate) == "22.12.2008");
  }
  CHECK(datetime_text("2008-12-22", ColumnType::kDate) == "2008-12-22");
}
