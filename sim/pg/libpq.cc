#include "pg/libpq.h"

#include <dlfcn.h>

#include <string>
#include <type_traits>

#include "pg/options.h"

namespace ccsim::libpq {

namespace {

Api load() {
  // The soname Debian's libpq5 installs; RTLD_LOCAL keeps its symbols (and
  // those of the libraries it pulls in) out of ccsim's namespace.
  void* lib = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* why = dlerror();
    throw PgError(std::string("cannot load PostgreSQL's client library libpq.so.5 (") +
                  (why ? why : "unknown reason") +
                  "): install it (Debian: apt-get install libpq5)");
  }
  Api a;
  auto bind = [&](auto& fn, const char* name) {
    void* sym = dlsym(lib, name);
    if (!sym)
      throw PgError(std::string("libpq.so.5 has no ") + name + ": it is older than ccsim needs");
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(sym);
  };
#define CCSIM_LIBPQ_BIND(name) bind(a.name, #name);
  CCSIM_LIBPQ_FUNCTIONS(CCSIM_LIBPQ_BIND)
#undef CCSIM_LIBPQ_BIND
  return a;  // the library stays loaded for the process's life
}

}  // namespace

const Api& api() {
  static const Api a = load();
  return a;
}

}  // namespace ccsim::libpq
