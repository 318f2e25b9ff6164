# ASan + UBSan for the whole build. Sanitizers cannot link -static, so they need PROMISE_STATIC=OFF.
option(PROMISE_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)

if(PROMISE_SANITIZE)
  if(PROMISE_STATIC)
    message(FATAL_ERROR "PROMISE_SANITIZE needs PROMISE_STATIC=OFF (sanitizers cannot link -static)")
  endif()
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
