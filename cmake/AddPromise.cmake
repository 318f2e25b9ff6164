# add_promise(NAME SOURCES... [LIBRARIES libs...]): one promise executable in one line.
# Every promise links libpromise (the shared contract); HTTP promises add promise_http.
function(add_promise name)
  cmake_parse_arguments(ARG "" "" "LIBRARIES" ${ARGN})
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE promise::core ${ARG_LIBRARIES})
  promise_set_warnings(${name})
  promise_set_hardening(${name})
  promise_set_static_link(${name})
  add_dependencies(promises ${name})
  promise_add_man_page(${name})
  promise_add_memcheck_twin(${name})
  install(TARGETS ${name} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endfunction()
