# add_promise(NAME [TOOL] SOURCES... [LIBRARIES libs...]): one promise executable in one line.
# Every promise links libpromise (the shared contract); HTTP promises add promise_http.
#
# Install layout: names such as check_parameter are too generic for /usr/bin, so the promises
# go to ${CMAKE_INSTALL_LIBEXECDIR}/slapos-native-promises (as monitoring-plugins use
# /usr/lib/nagios/plugins); a TOOL (slapos-promise) goes to ${CMAKE_INSTALL_BINDIR} and finds
# them there. The build tree keeps every executable in bin/. The promise names are collected in
# the global property PROMISE_NAMES (slapos-promise lists and runs those).
set(PROMISE_LIBEXEC_DIR "${CMAKE_INSTALL_LIBEXECDIR}/slapos-native-promises")
set_property(GLOBAL PROPERTY PROMISE_NAMES "")

function(add_promise name)
  cmake_parse_arguments(ARG "TOOL" "" "LIBRARIES" ${ARGN})
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE promise::core ${ARG_LIBRARIES})
  promise_set_warnings(${name})
  promise_set_hardening(${name})
  promise_set_static_link(${name})
  add_dependencies(promises ${name})
  promise_add_man_page(${name})
  promise_add_memcheck_twin(${name})
  if(ARG_TOOL)
    install(TARGETS ${name} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  else()
    set_property(GLOBAL APPEND PROPERTY PROMISE_NAMES ${name})
    install(TARGETS ${name} RUNTIME DESTINATION ${PROMISE_LIBEXEC_DIR})
  endif()
endfunction()
