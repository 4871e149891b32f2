// What every PostgreSQL connection of ccsim is told and may fail with: the
// options of the real-I/O edge (pg/) and its error type. Small on purpose:
// included by everything in pg/, it pulls in nothing else.
#pragma once

#include <stdexcept>
#include <string>

namespace ccsim {

// The server refused, or the connection failed or timed out: exit code 2.
class PgError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PgOptions {
  std::string conninfo;
  int connect_timeout_s = 10;
  int statement_timeout_ms = 30000;  // the server cancels any statement slower than this
  int settle_ms_max = 10000;         // how long a statement may be neither done nor waiting
  int deadlock_timeout_ms = 50;      // set on every request connection
  int pace_ms = 150;  // after a statement starts waiting: > deadlock_timeout (docs/verify.md)
  // Set on every connection, so that dates print as ccsim prints them (a
  // spec's replay: the tester's, from PGDATESTYLE).
  std::string datestyle = "ISO, MDY";
};

}  // namespace ccsim
