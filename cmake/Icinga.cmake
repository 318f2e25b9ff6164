# Icinga.cmake - Icinga 2 CheckCommand definitions for every promise, generated at build time
# from the option declarations themselves (`<promise> --dump-options`, the same CLI::App that
# prints --help), so that they cannot drift from the binaries.
#
#   include(Icinga)                        # top-level CMakeLists.txt
#   promise_add_icinga_commands()          # after every add_promise()
#
# Writes ${PROJECT_BINARY_DIR}/icinga2/slapos-native-promises.conf: one CheckCommand
# "slapos_<promise>" per promise (a '-' in the name becomes '_'), running
# ${CMAKE_INSTALL_FULL_LIBEXECDIR}/slapos-native-promises/<promise> with --format nagios. Each
# option of the promise is an argument whose value is the custom variable
# slapos_<promise>_<option>; the common --timeout and --timeout-file take slapos_timeout and
# slapos_timeout_file. Left out: what only makes sense under slapgrid or by hand (--install,
# --mode, --config, --show-config, the rule options --frequency/--result-count/..., -v,
# --help, --version), hidden options (accepted for old profiles, ignored) and positional
# arguments. A boolean flag takes its value as any option, best as the string "1" or "0"
# (--allow-redirects "0" turns a default-on flag off): --verify $slapos_check_url_available_verify$.
# Installed where Icinga 2 looks for plugin command definitions:
# ${CMAKE_INSTALL_DATADIR}/icinga2/include/plugins-contrib.d (`include <plugins-contrib>`).
# The binaries run on the build machine, as for the man pages: PROMISE_ICINGA_COMMANDS (default ON,
# OFF when cross-compiling) turns the generation off.
#
# This file is also the generator script, run as `cmake -D... -P Icinga.cmake` (the bottom part).

if(NOT CMAKE_SCRIPT_MODE_FILE)
  include_guard(GLOBAL)
  set(_PROMISE_ICINGA_SCRIPT "${CMAKE_CURRENT_LIST_FILE}")

  if(CMAKE_CROSSCOMPILING)
    set(_promise_icinga_default OFF)
  else()
    set(_promise_icinga_default ON)
  endif()
  option(PROMISE_ICINGA_COMMANDS "Generate and install the Icinga 2 CheckCommands"
         ${_promise_icinga_default})

  function(promise_add_icinga_commands)
    if(NOT PROMISE_ICINGA_COMMANDS)
      return()
    endif()
    get_property(names GLOBAL PROPERTY PROMISE_NAMES)
    set(programs "")
    foreach(name IN LISTS names)
      list(APPEND programs "$<TARGET_FILE:${name}>")
    endforeach()
    string(REPLACE ";" "|" programs "${programs}")
    set(conf "${PROJECT_BINARY_DIR}/icinga2/slapos-native-promises.conf")
    add_custom_command(
      OUTPUT "${conf}"
      COMMAND "${CMAKE_COMMAND}" "-DPROMISE_ICINGA_PROGRAMS=${programs}"
              "-DPROMISE_ICINGA_OUTPUT=${conf}"
              "-DPROMISE_ICINGA_DIR=${CMAKE_INSTALL_FULL_LIBEXECDIR}/slapos-native-promises"
              -P "${_PROMISE_ICINGA_SCRIPT}"
      DEPENDS ${names} "${_PROMISE_ICINGA_SCRIPT}"
      COMMENT "Generating the Icinga 2 CheckCommands (slapos-native-promises.conf)"
      VERBATIM)
    add_custom_target(icinga-commands ALL DEPENDS "${conf}")
    install(FILES "${conf}" DESTINATION "${CMAKE_INSTALL_DATADIR}/icinga2/include/plugins-contrib.d")
  endfunction()
  return()
endif()

# ---- script mode ------------------------------------------------------------------------------
cmake_minimum_required(VERSION 3.25)
# In: PROMISE_ICINGA_PROGRAMS (built binaries, separated by |), PROMISE_ICINGA_OUTPUT,
#     PROMISE_ICINGA_DIR (where the binaries are installed).
foreach(var IN ITEMS PROMISE_ICINGA_PROGRAMS PROMISE_ICINGA_OUTPUT PROMISE_ICINGA_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "Icinga.cmake: ${var} is not set")
  endif()
endforeach()

# An Icinga 2 string literal.
function(_icinga_string out text)
  string(REPLACE "\\" "\\\\" text "${text}")
  string(REPLACE "\"" "\\\"" text "${text}")
  string(REPLACE "\n" " " text "${text}")
  set(${out} "\"${text}\"" PARENT_SCOPE)
endfunction()

set(skipped_options --install --mode --config --show-config --help --version --verbose --format
                    --frequency --result-count --failure-amount --state-file --force)
set(shared_options --timeout --timeout-file)

set(conf "/* Generated at build time from each promise's --dump-options: do not edit.
 * Icinga 2 CheckCommands of slapos-native-promises; see README.md, \"Icinga 2 and Nagios\". */
")
string(REPLACE "|" ";" programs "${PROMISE_ICINGA_PROGRAMS}")
foreach(program IN LISTS programs)
  cmake_path(GET program FILENAME name)
  execute_process(COMMAND "${program}" --dump-options RESULT_VARIABLE rc OUTPUT_VARIABLE json
                  ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${name} --dump-options failed (exit ${rc}): ${err}")
  endif()
  string(REPLACE "-" "_" id "${name}")
  string(JSON description GET "${json}" description)
  string(REPLACE "*/" "* /" description "${description}")
  _icinga_string(command "${PROMISE_ICINGA_DIR}/${name}")
  string(APPEND conf "\nobject CheckCommand \"slapos_${id}\" {\n"
         "  /* ${name}: ${description} */\n"
         "  command = [ ${command} ]\n"
         "  arguments = {\n"
         "    \"--format\" = { value = \"nagios\"; order = -1 }\n")
  string(JSON count LENGTH "${json}" options)
  math(EXPR last "${count} - 1")
  foreach(i RANGE ${last})
    string(JSON option GET "${json}" options ${i})
    string(JSON positional GET "${option}" positional)
    string(JSON names_count LENGTH "${option}" names)
    if(NOT positional STREQUAL "" OR names_count EQUAL 0)
      continue()
    endif()
    string(JSON key GET "${option}" names 0)
    string(JSON group GET "${option}" group)
    # Hidden options (no group: accepted for old profiles and ignored, not in --help) too.
    if(key IN_LIST skipped_options OR NOT key MATCHES "^--" OR group STREQUAL "")
      continue()
    endif()
    string(REGEX REPLACE "^--" "" var "${key}")
    string(REPLACE "-" "_" var "${var}")
    if(key IN_LIST shared_options)
      set(var "slapos_${var}")
    else()
      set(var "slapos_${id}_${var}")
    endif()
    string(JSON help GET "${option}" help)
    string(JSON type GET "${option}" type)
    string(JSON default GET "${option}" default)
    string(JSON required GET "${option}" required)
    string(JSON secret GET "${option}" secret)
    if(type STREQUAL "")
      set(type "BOOLEAN")
    endif()
    if(NOT default STREQUAL "" AND NOT default STREQUAL "[]")
      string(APPEND help " (default ${default})")
    endif()
    if(secret)
      string(APPEND help " (a secret: it shows in the command line icinga2 runs)")
    endif()
    _icinga_string(help "${type}: ${help}")
    string(APPEND conf "    \"${key}\" = {\n"
                       "      value = \"$${var}$\"\n"
                       "      description = ${help}\n")
    if(required)
      string(APPEND conf "      required = true\n")
    endif()
    string(APPEND conf "    }\n")
  endforeach()
  string(APPEND conf "  }\n}\n")
endforeach()

# Written beside, then renamed: an interrupted run never leaves a half file for `install`.
file(WRITE "${PROMISE_ICINGA_OUTPUT}.tmp" "${conf}")
file(RENAME "${PROMISE_ICINGA_OUTPUT}.tmp" "${PROMISE_ICINGA_OUTPUT}")
