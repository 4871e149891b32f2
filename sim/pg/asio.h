// The one header that brings in Boost.Asio. Only pg/ includes it: Asio is
// slow to compile and belongs at the real-I/O edge, never in the core.
// Boost 1.74's awaitable.hpp needs <utility> before it under g++ 12.
#pragma once

#include <utility>

// Boost 1.74 detects clang's coroutines only through libc++'s
// <experimental/coroutine>; with libstdc++ the standard <coroutine> is the
// one to use (g++ is detected on its own).
#if defined(__clang__) && defined(__cpp_impl_coroutine) && !defined(BOOST_ASIO_HAS_CO_AWAIT)
#define BOOST_ASIO_HAS_CO_AWAIT 1
#define BOOST_ASIO_HAS_STD_COROUTINE 1
#endif

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
