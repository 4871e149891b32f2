// libpq, loaded when a command first talks to PostgreSQL, not when ccsim
// starts. Linking libpq pulls in its TLS, Kerberos and LDAP libraries, and
// loading and relocating them took about 4.5 ms of every process's start
// (docs/performance.md); most runs of ccsim never connect. Part of the
// real-I/O edge (pg/).
#pragma once

#include <libpq-fe.h>

namespace ccsim::libpq {

// The libpq functions ccsim calls, as loaded from libpq.so.5.
struct Api {
// clang-format off
#define CCSIM_LIBPQ_FUNCTIONS(X)                                                      \
  X(PQconnectdbParams) X(PQstatus) X(PQerrorMessage) X(PQfinish)                      \
  X(PQsetNoticeProcessor) X(PQbackendPID) X(PQsetnonblocking) X(PQsocket) X(PQexec)   \
  X(PQresultStatus) X(PQresultErrorMessage) X(PQclear) X(PQntuples) X(PQnfields)      \
  X(PQgetvalue) X(PQgetisnull) X(PQftype) X(PQfname) X(PQsendQueryParams) X(PQsendQuery) X(PQflush)  \
  X(PQconsumeInput) X(PQisBusy) X(PQgetResult) X(PQtransactionStatus)                 \
  X(PQresultErrorField) X(PQcmdTuples) X(PQgetCancel) X(PQcancel) X(PQfreeCancel)
// clang-format on
#define CCSIM_LIBPQ_MEMBER(name) decltype(&::name) name = nullptr;
  CCSIM_LIBPQ_FUNCTIONS(CCSIM_LIBPQ_MEMBER)
#undef CCSIM_LIBPQ_MEMBER
};

// Returns the functions, loading the library on the first call (thread-safe).
// Throws PgError naming the library and what to install when it cannot be
// loaded.
const Api& api();

}  // namespace ccsim::libpq
