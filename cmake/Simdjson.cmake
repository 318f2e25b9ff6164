# Simdjson.cmake - provides the target promise_simdjson: the JSON parser of promise_json
# (check_surykatka_json's report). Chosen over nlohmann-json by measurement (docs/BENCHMARKS.md,
# "JSON parser"): on a 367 KB report, 6x fewer instructions, less memory and a smaller binary.
#
#   PROMISE_STATIC=ON : Debian ships libsimdjson as a shared library only, so the library's one
#                       source file (singleheader/simdjson.cpp of Debian's simdjson source
#                       package, `apt-get source simdjson`, as StaticCurl does for curl) is
#                       compiled here, with its SSE4.2 (westmere) and portable kernels only: the
#                       AVX2 and AVX-512 ones add 37 and 33 KB for 11 % fewer instructions on
#                       such a report.
#   PROMISE_STATIC=OFF: Debian's shared libsimdjson (libsimdjson-dev).
#
# Cache variable: PROMISE_SIMDJSON_SOURCE_DIR  unpacked simdjson source tree; empty = run
# `apt-get source simdjson` once into ${CMAKE_BINARY_DIR}/_deps/simdjson-src.
include_guard(GLOBAL)

set(PROMISE_SIMDJSON_SOURCE_DIR "" CACHE PATH
    "Unpacked simdjson source tree for PROMISE_STATIC builds (empty: apt-get source simdjson)")

function(_promise_simdjson_fetch_debian_source out_var)
  set(dest "${CMAKE_BINARY_DIR}/_deps/simdjson-src")
  file(GLOB found LIST_DIRECTORIES false "${dest}/simdjson-*/singleheader/simdjson.cpp")
  if(NOT found)
    file(REMOVE_RECURSE "${dest}")
    file(MAKE_DIRECTORY "${dest}")
    message(STATUS "Fetching Debian's simdjson source package (apt-get source simdjson)")
    execute_process(
      COMMAND apt-get source -qq simdjson
      WORKING_DIRECTORY "${dest}"
      RESULT_VARIABLE rc
      OUTPUT_VARIABLE out
      ERROR_VARIABLE err)
    file(GLOB found LIST_DIRECTORIES false "${dest}/simdjson-*/singleheader/simdjson.cpp")
    if(NOT rc EQUAL 0 OR NOT found)
      message(FATAL_ERROR
        "PROMISE_STATIC=ON needs Debian's simdjson source, but `apt-get source simdjson` failed "
        "(exit status: ${rc}) in ${dest}:\n${out}${err}\n"
        "Run .ci/install-deps (as root) to enable deb-src and install dpkg-dev, "
        "or set PROMISE_SIMDJSON_SOURCE_DIR to an unpacked simdjson source tree, "
        "or configure with -DPROMISE_STATIC=OFF to use the system libsimdjson.")
    endif()
  endif()
  list(SORT found COMPARE NATURAL ORDER DESCENDING)
  list(GET found 0 newest)
  cmake_path(GET newest PARENT_PATH singleheader)
  cmake_path(GET singleheader PARENT_PATH src)
  set(${out_var} "${src}" PARENT_SCOPE)
endfunction()

add_library(promise_simdjson INTERFACE)
if(PROMISE_STATIC)
  set(_src "${PROMISE_SIMDJSON_SOURCE_DIR}")
  if(NOT _src)
    _promise_simdjson_fetch_debian_source(_src)
  endif()
  if(NOT EXISTS "${_src}/singleheader/simdjson.cpp")
    message(FATAL_ERROR "No singleheader/simdjson.cpp in PROMISE_SIMDJSON_SOURCE_DIR=${_src}")
  endif()
  add_library(promise_simdjson_static STATIC "${_src}/singleheader/simdjson.cpp")
  # The header and the library must agree on the kernels compiled in: PUBLIC definitions.
  target_compile_definitions(promise_simdjson_static PUBLIC
    SIMDJSON_IMPLEMENTATION_ICELAKE=0 SIMDJSON_IMPLEMENTATION_HASWELL=0)
  target_include_directories(promise_simdjson_static SYSTEM PUBLIC "${_src}/singleheader")
  promise_set_hardening(promise_simdjson_static)
  target_link_libraries(promise_simdjson INTERFACE promise_simdjson_static)
  unset(_src)
else()
  find_package(simdjson REQUIRED CONFIG)
  target_link_libraries(promise_simdjson INTERFACE simdjson::simdjson)
endif()
