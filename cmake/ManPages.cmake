# ManPages.cmake - a man page per binary, generated at build time from its --help and --version.
#
#   include(ManPages)                # top-level CMakeLists.txt, after include(GNUInstallDirs)
#   promise_add_man_page(<target> [INCLUDE <file.h2m>...])
#
# Runs the built <target> through help2man (Debian package help2man) into
# ${PROJECT_BINARY_DIR}/man/<target>.1 and installs it into ${CMAKE_INSTALL_MANDIR}/man1
# (dh_compress gzips it in the .deb). NAME is the first line of --help (the binary's one-sentence
# description).
# The extra sections (EXIT STATUS, FILES, ENVIRONMENT, SEE ALSO) come from the INCLUDE files if
# given, else from packaging/man/<target>.h2m if it exists at configure time (a binary that is not
# a promise, such as the runner), else from packaging/man/common.h2m (every promise).
# help2man honours SOURCE_DATE_EPOCH for the date in the header: the one in the environment at
# configure time, else the date of the source tree's last commit (so that two builds of a commit
# give the same pages: packaging/build-release), else the build date.
#
# PROMISE_MAN_PAGES defaults to ON when help2man is found, OFF otherwise; without it
# promise_add_man_page() does nothing. The binary must run on the build machine (no cross builds).
#
# This file is also the generator script, run as `cmake -D... -P ManPages.cmake` (the bottom part).

if(NOT CMAKE_SCRIPT_MODE_FILE)
  include_guard(GLOBAL)

  find_program(HELP2MAN_EXECUTABLE help2man DOC "help2man, to generate the man pages")
  mark_as_advanced(HELP2MAN_EXECUTABLE)
  if(HELP2MAN_EXECUTABLE)
    set(_promise_man_default ON)
  else()
    set(_promise_man_default OFF)
    message(STATUS "help2man not found: no man pages (apt-get install help2man, then reconfigure "
                   "with -DPROMISE_MAN_PAGES=ON)")
  endif()
  option(PROMISE_MAN_PAGES "Generate and install man pages with help2man" ${_promise_man_default})
  unset(_promise_man_default)
  if(PROMISE_MAN_PAGES AND NOT HELP2MAN_EXECUTABLE)
    message(FATAL_ERROR "PROMISE_MAN_PAGES=ON needs help2man (apt-get install help2man)")
  endif()

  set(PROMISE_MAN_DATE_EPOCH "$ENV{SOURCE_DATE_EPOCH}")
  if(PROMISE_MAN_DATE_EPOCH STREQUAL "")
    execute_process(COMMAND git -C "${PROJECT_SOURCE_DIR}" log -1 --format=%ct
                    OUTPUT_VARIABLE PROMISE_MAN_DATE_EPOCH OUTPUT_STRIP_TRAILING_WHITESPACE
                    ERROR_QUIET)
  endif()
  set(PROMISE_MAN_DIR "${CMAKE_CURRENT_LIST_DIR}/../packaging/man")
  cmake_path(NORMAL_PATH PROMISE_MAN_DIR)
  set(_PROMISE_MAN_SCRIPT "${CMAKE_CURRENT_LIST_FILE}")

  # `man-pages`: every man page (they are also part of `all`).
  if(PROMISE_MAN_PAGES)
    add_custom_target(man-pages)
  endif()

  function(promise_add_man_page target)
    if(NOT PROMISE_MAN_PAGES)
      return()
    endif()
    cmake_parse_arguments(ARG "" "" "INCLUDE" ${ARGN})
    if(ARG_UNPARSED_ARGUMENTS)
      message(FATAL_ERROR "promise_add_man_page(${target}): unexpected ${ARG_UNPARSED_ARGUMENTS}")
    endif()
    if(NOT ARG_INCLUDE)
      if(EXISTS "${PROMISE_MAN_DIR}/${target}.h2m")
        set(ARG_INCLUDE "${PROMISE_MAN_DIR}/${target}.h2m")
      else()
        set(ARG_INCLUDE "${PROMISE_MAN_DIR}/common.h2m")
      endif()
    endif()
    set(page "${PROJECT_BINARY_DIR}/man/${target}.1")
    string(REPLACE ";" "|" include_arg "${ARG_INCLUDE}")
    add_custom_command(
      OUTPUT "${page}"
      COMMAND "${CMAKE_COMMAND}"
              "-DPROMISE_MAN_PROGRAM=$<TARGET_FILE:${target}>"
              "-DPROMISE_MAN_OUTPUT=${page}"
              "-DPROMISE_MAN_INCLUDE=${include_arg}"
              "-DHELP2MAN_EXECUTABLE=${HELP2MAN_EXECUTABLE}"
              "-DPROMISE_MAN_DATE_EPOCH=${PROMISE_MAN_DATE_EPOCH}"
              -P "${_PROMISE_MAN_SCRIPT}"
      # An executable target in DEPENDS: rebuilt whenever the binary is relinked.
      DEPENDS ${target} ${ARG_INCLUDE} "${_PROMISE_MAN_SCRIPT}"
      COMMENT "Generating man page ${target}.1"
      VERBATIM)
    add_custom_target(${target}_man ALL DEPENDS "${page}")
    add_dependencies(man-pages ${target}_man)
    install(FILES "${page}" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
  endfunction()
  return()
endif()

# ---- script mode: generate one page -----------------------------------------------------------
# In: PROMISE_MAN_PROGRAM (the built binary), PROMISE_MAN_OUTPUT (<name>.1),
#     PROMISE_MAN_INCLUDE (.h2m files, separated by |), HELP2MAN_EXECUTABLE.
#
# The help text is captured here and handed to help2man through a tiny wrapper script, after two
# adjustments. help2man puts every group before the first "Options:" heading into DESCRIPTION, so
# when CLI11 prints another group first (say "Common options:"), an "Options:" line is inserted
# after the usage and the binary's own "Options:" group is titled "<name> options:": every group
# becomes a subsection of OPTIONS. A binary with subcommands (the runner) also gets the option
# groups of each `<binary> <subcommand> --help`.
foreach(var IN ITEMS PROMISE_MAN_PROGRAM PROMISE_MAN_OUTPUT HELP2MAN_EXECUTABLE)
  if(NOT ${var})
    message(FATAL_ERROR "ManPages.cmake: ${var} is not set")
  endif()
endforeach()
cmake_path(GET PROMISE_MAN_PROGRAM FILENAME name)

foreach(flag IN ITEMS help version)
  execute_process(
    COMMAND "${PROMISE_MAN_PROGRAM}" --${flag}
    RESULT_VARIABLE rc
    OUTPUT_VARIABLE ${flag}
    ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT ${flag})
    message(FATAL_ERROR "${name} --${flag} failed (exit ${rc}): ${err}"
                        "A man page needs --help and --version on standard output, exit 0.")
  endif()
endforeach()

# NAME: the first line of --help, the one-sentence description.
string(FIND "${help}" "\n" eol)
string(SUBSTRING "${help}" 0 ${eol} description)
string(STRIP "${description}" description)
if(description STREQUAL "" OR description MATCHES "^Usage:")
  message(FATAL_ERROR "${name} --help must start with a one-sentence description")
endif()

# Splits CLI11 help text after its "Usage:" paragraph: the description and usage in head_var,
# the option groups in body_var (empty when there is no usage paragraph).
function(_promise_man_split text head_var body_var)
  set(head "${text}")
  set(body "")
  string(FIND "${text}" "\nUsage:" usage)
  if(usage GREATER_EQUAL 0)
    string(SUBSTRING "${text}" ${usage} -1 tail)
    string(FIND "${tail}" "\n\n" gap)
    if(gap GREATER_EQUAL 0)
      math(EXPR split "${usage} + ${gap} + 2")
      string(SUBSTRING "${text}" 0 ${split} head)
      string(SUBSTRING "${text}" ${split} -1 body)
    endif()
  endif()
  set(${head_var} "${head}" PARENT_SCOPE)
  set(${body_var} "${body}" PARENT_SCOPE)
endfunction()

# Open OPTIONS right after the usage paragraph, unless the first group already is "Options:".
_promise_man_split("${help}" head body)
string(STRIP "${body}" body_start)
if(body_start AND NOT body_start MATCHES "^Options:")
  string(REPLACE "\nOptions:\n" "\n${name} options:\n" body "\n${body}")
  string(REGEX REPLACE "^\n" "" body "${body}")
  set(help "${head}Options:\n\n${body}")
endif()

# A binary with subcommands (the runner): their options too, one subsection per group, from
# `<binary> <subcommand> --help`. The names are the lines of the "Subcommands:" group.
string(FIND "${help}" "\nSubcommands:\n" subcommands)
if(subcommands GREATER_EQUAL 0)
  math(EXPR start "${subcommands} + 14")
  string(SUBSTRING "${help}" ${start} -1 listing)
  string(FIND "${listing}" "\n\n" end)
  if(end GREATER_EQUAL 0)
    string(SUBSTRING "${listing}" 0 ${end} listing)
  endif()
  string(REGEX MATCHALL "(^|\n)  [A-Za-z0-9][A-Za-z0-9_-]*" subcommands "${listing}")
  string(REGEX REPLACE "[ \n]+$" "" help "${help}")
  foreach(subcommand IN LISTS subcommands)
    string(STRIP "${subcommand}" subcommand)
    execute_process(
      COMMAND "${PROMISE_MAN_PROGRAM}" ${subcommand} --help
      RESULT_VARIABLE rc
      OUTPUT_VARIABLE sub_help
      ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "${name} ${subcommand} --help failed (exit ${rc}): ${err}")
    endif()
    _promise_man_split("${sub_help}" sub_head sub_body)
    string(REPLACE "\nOptions:\n" "\n${subcommand} options:\n" sub_body "\n${sub_body}")
    string(REPLACE "\nPositionals:\n" "\n${subcommand} arguments:\n" sub_body "${sub_body}")
    # -h,--help is in every group of options: once, at the top, is enough. Then drop the headings
    # left with nothing under them.
    string(REGEX REPLACE "\n  -h,--help[^\n]*" "" sub_body "${sub_body}")
    string(REGEX REPLACE "\n[^ \n][^\n]*:\n\n" "\n" sub_body "${sub_body}")
    string(REGEX REPLACE "[ \n]+$" "" sub_body "${sub_body}")
    string(REGEX REPLACE "\n[^ \n][^\n]*:$" "" sub_body "${sub_body}")
    if(sub_body)
      string(APPEND help "\n\n${sub_body}")
    endif()
  endforeach()
  string(APPEND help "\n")
endif()

cmake_path(GET PROMISE_MAN_OUTPUT PARENT_PATH outdir)
set(work "${outdir}/.h2m/${name}")
file(MAKE_DIRECTORY "${work}")
file(WRITE "${work}/help.txt" "${help}")
file(WRITE "${work}/version.txt" "${version}")
# Named like the binary, so that help2man's fallbacks (if --version were unusual) still say ${name}.
file(WRITE "${work}/${name}"
  "#!/bin/sh\n"
  "# ${name} --help/--version as captured from ${PROMISE_MAN_PROGRAM}\n"
  "case \"$1\" in\n"
  "  --version) exec cat \"${work}/version.txt\" ;;\n"
  "  *) exec cat \"${work}/help.txt\" ;;\n"
  "esac\n")
file(CHMOD "${work}/${name}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
     GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

set(includes "")
string(REPLACE "|" ";" PROMISE_MAN_INCLUDE "${PROMISE_MAN_INCLUDE}")
foreach(file IN LISTS PROMISE_MAN_INCLUDE)
  list(APPEND includes "--include=${file}")
endforeach()

if(PROMISE_MAN_DATE_EPOCH MATCHES "^[0-9]+$")
  set(ENV{SOURCE_DATE_EPOCH} "${PROMISE_MAN_DATE_EPOCH}")
endif()
# Written beside, then renamed: an interrupted run never leaves a half page for `install`.
execute_process(
  COMMAND "${HELP2MAN_EXECUTABLE}" --no-info --section=1 "--name=${description}" ${includes}
          "--output=${PROMISE_MAN_OUTPUT}.tmp" "${work}/${name}"
  RESULT_VARIABLE rc
  ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  file(REMOVE "${PROMISE_MAN_OUTPUT}.tmp")
  message(FATAL_ERROR "help2man failed for ${name} (exit ${rc}): ${err}")
endif()
file(RENAME "${PROMISE_MAN_OUTPUT}.tmp" "${PROMISE_MAN_OUTPUT}")
