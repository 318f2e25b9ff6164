# Memcheck.cmake - binaries valgrind's memcheck can see into.
#
# memcheck cannot replace malloc in a static binary: on the static-pie release binaries it sees
# no allocation at all and reports dozens of false "uninitialised value" errors in glibc's
# start-up. So a PROMISE_STATIC build also links, for each binary of the suite, a dynamic twin
# in ${PROJECT_BINARY_DIR}/memcheck-bin/: the very same object files (same -O2, same hardening,
# the same static libcurl and OpenSSL), with glibc and libstdc++ linked dynamically, which
# memcheck intercepts. tests/memcheck/run-memcheck runs them. A dynamic build (debug) needs no
# twins: its bin/ is memcheck's. Sanitizer builds get neither (ASan and memcheck exclude each
# other).
#
#   promise_add_memcheck_twin(<target>)   called by add_promise(); the twin is linked at the end
#                                         of the directory, once the target is complete
include_guard(GLOBAL)

if(PROMISE_STATIC AND (PROMISE_BUILD_TESTS OR NOT DEFINED PROMISE_BUILD_TESTS))
  set(_promise_memcheck_default ON)
else()
  set(_promise_memcheck_default OFF)
endif()
option(PROMISE_MEMCHECK_TWINS "Link dynamic twins of the static binaries for valgrind memcheck"
       ${_promise_memcheck_default})
unset(_promise_memcheck_default)

function(promise_add_memcheck_twin target)
  if(PROMISE_MEMCHECK_TWINS AND PROMISE_STATIC)
    # A deferred call reads its variables when it runs: put the name in as text now.
    cmake_language(EVAL CODE "cmake_language(DEFER CALL _promise_link_memcheck_twin [[${target}]])")
  endif()
endfunction()

function(_promise_link_memcheck_twin target)
  set(twin ${target}_memcheck)
  add_executable(${twin} $<TARGET_OBJECTS:${target}>)
  get_target_property(libraries ${target} LINK_LIBRARIES)
  target_link_libraries(${twin} PRIVATE ${libraries})
  get_target_property(options ${target} LINK_OPTIONS)
  if(options)
    # lld 14's DT_RELR carries no GLIBC_ABI_DT_RELR version need, which the dynamic loader
    # requires: the twin keeps ordinary relocations.
    list(REMOVE_ITEM options -static-pie -Wl,--pack-dyn-relocs=relr)
    target_link_options(${twin} PRIVATE ${options})
  endif()
  set_target_properties(${twin} PROPERTIES
    OUTPUT_NAME ${target}
    RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/memcheck-bin)
endfunction()
