# PROMISE_STATIC=ON: every promise is one self-contained static-pie executable. Start-up is the
# whole cost of a promise, and a static binary skips the dynamic loader and its relocations.
# OFF: ordinary dynamic linking against Debian's libraries (distro packages, sanitizer builds).
option(PROMISE_STATIC "Link promise executables fully static (-static-pie)" ON)

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
  if(PROMISE_STATIC)
    # Packed relative relocations (DT_RELR): the self-relocation at start-up reads a few KB
    # instead of ~0.5 MB of relocation records, and ASLR stays.
    target_link_options(${target} PRIVATE -static-pie -Wl,-z,pack-relative-relocs)
  endif()
endfunction()
