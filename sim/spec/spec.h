// PostgreSQL isolation-tester spec files (src/test/isolation/specs/*.spec):
// setup and teardown blocks, sessions with their setup, steps and teardown,
// and permutation lines; read for statements in ccsim's SQL subset.
//
// Reading either returns a checked SpecFile or throws one InputError naming
// file:line:column. Nothing here runs anything.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "lang/ast.h"

namespace ccsim {

struct SpecStep {
  std::string name;
  std::string
      sql;  // as written between the braces, spaces and tabs trimmed (what the tester echoes)
  // Its statements, sent in one query (the tester prints each one's rows;
  // the first error ends the step). A data-modifying WITH query follows
  // its SELECT as a statement of its own (Step::with_query).
  std::vector<Step> steps;
  size_t session = 0;
  SourcePos pos;
};

// A permutation entry's markers, as the isolation tester reads them:
// mystep(*) is reported as waiting as soon as it is launched; mystep(other)
// is not reported complete while step `other` is in flight in its session.
struct StepMarkers {
  bool once = false;
  std::vector<size_t> blockers;  // indexes into SpecFile::steps
};

struct SpecSession {
  std::string name;
  std::vector<Step> setup;     // statements run when the session connects
  std::vector<Step> teardown;  // accepted; a simulated permutation ends with its world
  // The same blocks as written, for a real server (sent as the tester does).
  std::string setup_sql, teardown_sql;
  std::vector<size_t> steps;  // indexes into SpecFile::steps, in file order
};

struct SpecFile {
  std::string file;
  std::vector<Step> setup;         // every top-level setup block, in order
  std::vector<size_t> setup_ends;  // where each block ends in `setup`
  std::vector<Step> teardown;      // run after each permutation on a real server
  // The same blocks as written, for a real server (sent as the tester does).
  std::vector<std::string> setup_sql;
  std::string teardown_sql;
  std::vector<SpecSession> sessions;
  std::vector<SpecStep> steps;
  std::vector<std::vector<size_t>> permutations;  // step indexes
  std::vector<std::vector<StepMarkers>> markers;  // for each permutation, each entry's
  std::vector<SourcePos> permutation_pos;  // where each was written (the file for generated ones)
};

// Which permutation entries run as one implicit transaction, for each
// permutation in order: a step of several statements, the first not BEGIN,
// issued while its session is outside a transaction block. PostgreSQL runs
// such a query's statements in one transaction that commits when the last
// one ends, or rolls back at the first error. Whether a session is inside a
// block follows from its BEGIN, COMMIT and ROLLBACK statements alone (an
// error leaves a block open, failed), in the order the permutations run
// them, session setup and teardown included: the tester keeps its
// connections between permutations, so an open block carries over.
std::vector<std::vector<bool>> implicit_transactions(const SpecFile& spec);

// Parses a spec's text (`file` names it in messages). Throws InputError on
// syntax errors, on statements outside ccsim's subset, and on steps that
// hold more than one statement. Reading the file is scenario/files.h's.
SpecFile parse_spec(const std::string& text, const std::string& file);

// Most steps in one spec.
constexpr size_t kSpecStepsMax = 1000;

// Most permutations generated for a spec without permutation lines.
constexpr size_t kSpecPermutationsMax = 10000;

}  // namespace ccsim
