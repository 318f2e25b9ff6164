# PROMISE_STATIC=ON: every promise is one self-contained static-pie executable. Start-up is the
# whole cost of a promise, and a static binary skips the dynamic loader and its relocations.
# OFF: ordinary dynamic linking against Debian's libraries (distro packages, sanitizer builds).
option(PROMISE_STATIC "Link promise executables fully static (-static-pie)" ON)
# Static builds link with lld (Debian's lld) and cmake/startup.order: the functions a run
# executes, packed into a few pages, so the kernel maps fewer of them at each start (it maps
# 64 KiB around every page fault; most of a promise's peak RSS is its own code). ld.bfd has no
# symbol ordering. Regenerate the file with tests/bench/startup-order; ctest checks it is fresh.
option(PROMISE_LINK_ORDER "Static builds: link with lld and cmake/startup.order" ON)
set(PROMISE_STARTUP_ORDER ${CMAKE_CURRENT_LIST_DIR}/startup.order)
if(PROMISE_STATIC AND PROMISE_LINK_ORDER)
  find_program(PROMISE_LLD NAMES ld.lld REQUIRED)
endif()

set(CMAKE_POSITION_INDEPENDENT_CODE ON)

# Drop unused code per function, so a TCP promise carries no HTTP code.
add_compile_options(-ffunction-sections -fdata-sections)
# Reproducible release binaries (packaging/build-release): no checkout or build path in them
# (__FILE__ in assertions, debug info), so two builds of a commit in two places are identical.
if(PROMISE_STATIC)
  add_compile_options("-ffile-prefix-map=${PROJECT_SOURCE_DIR}/=" "-ffile-prefix-map=${PROJECT_BINARY_DIR}/=")
endif()

function(promise_set_static_link target)
  target_link_options(${target} PRIVATE -Wl,--gc-sections)
  if(PROMISE_STATIC AND PROMISE_LINK_ORDER)
    # Packed relative relocations (DT_RELR; lld 14 spells it --pack-dyn-relocs=relr): the
    # self-relocation at start-up reads a few KB instead of ~0.5 MB of relocation records.
    target_link_options(${target} PRIVATE -static-pie -fuse-ld=lld -Wl,--pack-dyn-relocs=relr
      -Wl,--symbol-ordering-file=${PROMISE_STARTUP_ORDER} -Wl,--no-warn-symbol-ordering)
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${PROMISE_STARTUP_ORDER})
  elseif(PROMISE_STATIC)
    # Packed relative relocations (DT_RELR), and ASLR stays.
    target_link_options(${target} PRIVATE -static-pie -Wl,-z,pack-relative-relocs)
  endif()
endfunction()
