# Strict warnings for our own targets only (third-party code such as curl keeps its own flags).
option(PROMISE_WARNINGS_AS_ERRORS "Treat compiler warnings as errors" ON)

function(promise_set_warnings target)
  set(flags -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
            -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wdouble-promotion
            -Wformat=2 -Wimplicit-fallthrough)
  if(PROMISE_WARNINGS_AS_ERRORS)
    list(APPEND flags -Werror)
  endif()
  target_compile_options(${target} PRIVATE ${flags})
endfunction()
