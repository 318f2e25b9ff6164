# Fuzzing.cmake - a fuzz target for every parser of untrusted or hand-written input.
#
#   add_fuzz_target(<name> <source.cpp> [SOURCES more.cpp...] [LIBRARIES libs...]
#                   [INCLUDES dirs...])
#
# <source.cpp> defines LLVMFuzzerTestOneInput (and may define LLVMFuzzerInitialize). Its seeds
# live in tests/fuzz/corpus/<name>/ (required), inputs that once broke it in
# tests/fuzz/regressions/<name>/ (optional). Adding a target is that line, the source and the
# seed directory.
#
# PROMISE_FUZZ=ON (the `fuzz` preset: clang, dynamic): everything is compiled with libFuzzer's
#   coverage instrumentation, ASan and UBSan, and fuzz_<name> is a libFuzzer binary in
#   ${PROJECT_BINARY_DIR}/fuzz. The `fuzzers` target builds them all; tests/fuzz/run-fuzz runs
#   them.
# Otherwise (every gcc preset): fuzz_<name>_replay feeds each seed and regression input once to
#   the same function, registered as the ctest test fuzz_replay.<name>. The invariants the
#   target checks hold in the release and ASan builds too, and a crash found once stays fixed.
include_guard(GLOBAL)

option(PROMISE_FUZZ "Build libFuzzer fuzz targets (clang, needs PROMISE_STATIC=OFF)" OFF)
set(PROMISE_FUZZ_DIR "${CMAKE_CURRENT_LIST_DIR}/../tests/fuzz")
cmake_path(NORMAL_PATH PROMISE_FUZZ_DIR)

if(PROMISE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "PROMISE_FUZZ needs clang (libFuzzer): use the fuzz preset")
  endif()
  if(PROMISE_STATIC OR PROMISE_SANITIZE)
    message(FATAL_ERROR "PROMISE_FUZZ needs PROMISE_STATIC=OFF and PROMISE_SANITIZE=OFF "
                        "(it adds ASan and UBSan itself)")
  endif()
  # Every target of ours is instrumented, so libFuzzer sees the coverage of the code under test,
  # not only of the fuzz function.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=address,undefined)
  add_custom_target(fuzzers)
endif()

function(add_fuzz_target name source)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES;INCLUDES" ${ARGN})
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "add_fuzz_target(${name}): unexpected ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  set(corpus "${PROMISE_FUZZ_DIR}/corpus/${name}")
  if(NOT IS_DIRECTORY "${corpus}")
    message(FATAL_ERROR "add_fuzz_target(${name}): no seed corpus in ${corpus}")
  endif()
  if(PROMISE_FUZZ)
    set(target fuzz_${name})
  else()
    set(target fuzz_${name}_replay)
  endif()
  add_executable(${target} ${source} ${ARG_SOURCES})
  target_include_directories(${target} PRIVATE ${PROMISE_FUZZ_DIR} ${ARG_INCLUDES})
  target_link_libraries(${target} PRIVATE ${ARG_LIBRARIES})
  promise_set_warnings(${target})
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/fuzz)
  if(PROMISE_FUZZ)
    target_link_options(${target} PRIVATE -fsanitize=fuzzer)
    add_dependencies(fuzzers ${target})
  else()
    target_sources(${target} PRIVATE ${PROMISE_FUZZ_DIR}/replay_main.cpp)
    add_test(NAME fuzz_replay.${name}
             COMMAND ${target} "${corpus}" "${PROMISE_FUZZ_DIR}/regressions/${name}")
    set_tests_properties(fuzz_replay.${name} PROPERTIES LABELS fuzz TIMEOUT 120)
  endif()
endfunction()
