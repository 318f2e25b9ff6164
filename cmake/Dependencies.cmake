# Third-party libraries, all from Debian packages.
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
find_package(CLI11 REQUIRED CONFIG)
find_package(fmt REQUIRED CONFIG)

# Standalone asio is header-only (libasio-dev).
find_path(ASIO_INCLUDE_DIR asio.hpp REQUIRED)
add_library(promise_asio INTERFACE)
target_include_directories(promise_asio SYSTEM INTERFACE ${ASIO_INCLUDE_DIR})
target_compile_definitions(promise_asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED)
target_link_libraries(promise_asio INTERFACE Threads::Threads)

# Debian's spdlog::spdlog target links the shared libspdlog/libfmt, which breaks -static.
# Header-only spdlog over header-only fmt links everywhere.
find_path(SPDLOG_INCLUDE_DIR spdlog/spdlog.h REQUIRED)
add_library(promise_spdlog INTERFACE)
target_include_directories(promise_spdlog SYSTEM INTERFACE ${SPDLOG_INCLUDE_DIR})
target_compile_definitions(promise_spdlog INTERFACE SPDLOG_FMT_EXTERNAL SPDLOG_NO_EXCEPTIONS)
target_link_libraries(promise_spdlog INTERFACE fmt::fmt-header-only Threads::Threads)

# RE2 (libre2-dev): regular expressions in time linear in the text, with no recursion on it, for
# check_page_content --regex. The static archive for PROMISE_STATIC builds, the shared library
# otherwise (sanitizer and distro builds); separate cache entries, so switching keeps each right.
find_path(RE2_INCLUDE_DIR re2/re2.h REQUIRED)
if(PROMISE_STATIC)
  find_library(PROMISE_RE2_STATIC_LIBRARY NAMES libre2.a REQUIRED)
  set(_promise_re2_library ${PROMISE_RE2_STATIC_LIBRARY})
else()
  find_library(PROMISE_RE2_SHARED_LIBRARY NAMES re2 REQUIRED)
  set(_promise_re2_library ${PROMISE_RE2_SHARED_LIBRARY})
endif()
add_library(promise_re2 INTERFACE)
target_include_directories(promise_re2 SYSTEM INTERFACE ${RE2_INCLUDE_DIR})
target_link_libraries(promise_re2 INTERFACE ${_promise_re2_library} Threads::Threads)
unset(_promise_re2_library)

# expat (libexpat1-dev): the XML parser of XML-RPC answers (check_service_state). A streaming C
# parser, fuzzed upstream, with no DTD loading; static archive for PROMISE_STATIC builds.
find_path(EXPAT_INCLUDE_DIR expat.h REQUIRED)
if(PROMISE_STATIC)
  find_library(PROMISE_EXPAT_STATIC_LIBRARY NAMES libexpat.a REQUIRED)
  set(_promise_expat_library ${PROMISE_EXPAT_STATIC_LIBRARY})
else()
  find_library(PROMISE_EXPAT_SHARED_LIBRARY NAMES expat REQUIRED)
  set(_promise_expat_library ${PROMISE_EXPAT_SHARED_LIBRARY})
endif()
add_library(promise_expat INTERFACE)
target_include_directories(promise_expat SYSTEM INTERFACE ${EXPAT_INCLUDE_DIR})
target_link_libraries(promise_expat INTERFACE ${_promise_expat_library})
unset(_promise_expat_library)
