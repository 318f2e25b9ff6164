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
