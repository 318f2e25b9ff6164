# Release hardening: fortified libc calls, stack protector, full RELRO, PIE.
option(PROMISE_HARDENING "Build with hardening flags" ON)

function(promise_set_hardening target)
  if(NOT PROMISE_HARDENING)
    return()
  endif()
  # _FORTIFY_SOURCE needs optimisation; it only warns (and fails under -Werror) at -O0.
  target_compile_options(${target} PRIVATE
    $<$<NOT:$<CONFIG:Debug>>:-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2>
    -fstack-protector-strong -fstack-clash-protection -fcf-protection)
  target_link_options(${target} PRIVATE -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack)
endfunction()
