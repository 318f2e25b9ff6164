# StaticCurl.cmake - provides the target promise::curl.
#
#   PROMISE_STATIC=ON : a minimal, fully static libcurl (HTTP/HTTPS only) built from Debian's
#                       curl source package, compiled as PIE for -static-pie links, on the TLS
#                       library PROMISE_CURL_TLS names (static wolfSSL or static OpenSSL).
#   PROMISE_STATIC=OFF: Debian's shared libcurl (find_package(CURL)).
#
# Usage (top-level CMakeLists.txt, before any find_package(OpenSSL)):
#   include(cmake/StaticCurl.cmake)
#   target_link_libraries(my_target PRIVATE promise::curl)
#
# Cache variables:
#   PROMISE_CURL_SOURCE_DIR  unpacked curl source tree; empty = run `apt-get source curl` once
#                            into ${CMAKE_BINARY_DIR}/_deps/curl-src and reuse it afterwards.
#   PROMISE_CURL_TLS         TLS library of that static libcurl: wolfssl (Debian's libwolfssl.a,
#                            X25519 offered first: a third of OpenSSL 3.0's handshake cost, see
#                            README) or openssl. Targets linking promise::curl get
#                            PROMISE_CURL_WOLFSSL=1 with wolfssl. PROMISE_CURL_USES_OPENSSL tells
#                            whether libcurl's TLS code is OpenSSL (always so when not static).
#
# Why building curl ourselves: Debian's libcurl.a drags in Kerberos, LDAP, gnutls/p11-kit and
# friends, several of which ship no .a, so it cannot be linked -static (TOOLCHAIN.md, 2b).
include_guard(GLOBAL)

# Normally defined by StaticLinking.cmake already; same default, so the include order is free.
option(PROMISE_STATIC "Link promise executables fully static (-static-pie)" ON)
set(PROMISE_CURL_SOURCE_DIR "" CACHE PATH
    "Unpacked curl source tree for PROMISE_STATIC builds (empty: apt-get source curl into the build dir)")
set(PROMISE_CURL_TLS "wolfssl" CACHE STRING "TLS library of the static libcurl: wolfssl or openssl")
set_property(CACHE PROMISE_CURL_TLS PROPERTY STRINGS wolfssl openssl)
if(NOT PROMISE_CURL_TLS MATCHES "^(wolfssl|openssl)$")
  message(FATAL_ERROR "PROMISE_CURL_TLS must be wolfssl or openssl, not '${PROMISE_CURL_TLS}'")
endif()

# Returns in out_var the unpacked Debian curl source tree, fetching it on first use.
function(_promise_curl_fetch_debian_source out_var)
  set(dest "${CMAKE_BINARY_DIR}/_deps/curl-src")
  file(GLOB found LIST_DIRECTORIES false "${dest}/curl-*/CMakeLists.txt")
  if(NOT found)
    # Start clean so a half-finished earlier attempt cannot be mistaken for a source tree.
    file(REMOVE_RECURSE "${dest}")
    file(MAKE_DIRECTORY "${dest}")
    message(STATUS "Fetching Debian's curl source package (apt-get source curl)")
    execute_process(
      COMMAND apt-get source -qq curl
      WORKING_DIRECTORY "${dest}"
      RESULT_VARIABLE rc
      OUTPUT_VARIABLE out
      ERROR_VARIABLE err)
    file(GLOB found LIST_DIRECTORIES false "${dest}/curl-*/CMakeLists.txt")
    if(NOT rc EQUAL 0 OR NOT found)
      message(FATAL_ERROR
        "PROMISE_STATIC=ON needs Debian's curl source, but `apt-get source curl` failed "
        "(exit status: ${rc}) in ${dest}:\n${out}${err}\n"
        "Run .ci/install-deps (as root) to enable deb-src and install dpkg-dev, "
        "or set PROMISE_CURL_SOURCE_DIR to an unpacked curl source tree, "
        "or configure with -DPROMISE_STATIC=OFF to use the system libcurl.")
    endif()
  endif()
  # Several versions may sit side by side after an upgrade: take the newest.
  list(SORT found COMPARE NATURAL ORDER DESCENDING)
  list(GET found 0 newest)
  cmake_path(GET newest PARENT_PATH src)
  set(${out_var} "${src}" PARENT_SCOPE)
endfunction()

# Forces a curl build option in the cache, so curl's own option() defaults cannot win.
macro(_promise_curl_force name type value)
  set(${name} ${value} CACHE ${type} "Forced by StaticCurl.cmake" FORCE)
  mark_as_advanced(${name})
endmacro()

# Adds curl's own CMake project. A function, so every plain variable set here is visible to curl's
# CMakeLists (its policies are >= 3.13, so option() honours plain variables: CMP0077) but never
# leaks back into the parent project.
function(_promise_curl_add_static src)
  set(BUILD_SHARED_LIBS OFF)
  # Our executables link with -static-pie, so every object in them must be PIC.
  set(CMAKE_POSITION_INDEPENDENT_CODE ON)
  # curl's BUILD_TESTING is cmake_dependent_option(... "NOT CURL_DISABLE_TESTS" OFF): with this set
  # it becomes a plain OFF inside curl's directory only, and the parent's BUILD_TESTING (CTest)
  # keeps its value. Setting BUILD_TESTING=OFF here instead would be FORCEd into the cache.
  set(CURL_DISABLE_TESTS ON)

  # curl's find_package(OpenSSL) reuses OpenSSL::* targets already visible here, so a shared
  # OpenSSL found earlier in this directory would end up in our -static-pie link.
  if(TARGET OpenSSL::Crypto)
    get_target_property(crypto_location OpenSSL::Crypto IMPORTED_LOCATION)
    if(NOT crypto_location MATCHES "\\.a$")
      message(FATAL_ERROR "StaticCurl.cmake must be included before find_package(OpenSSL) "
                          "(OpenSSL::Crypto already points at ${crypto_location}).")
    endif()
  endif()
  # Static OpenSSL for curl and for anyone else in this build who asks for OpenSSL. FindOpenSSL
  # caches the library paths, so a shared libssl found earlier would stick: drop it.
  _promise_curl_force(OPENSSL_USE_STATIC_LIBS BOOL ON)
  foreach(lib IN ITEMS OPENSSL_SSL_LIBRARY OPENSSL_CRYPTO_LIBRARY)
    if(DEFINED CACHE{${lib}} AND NOT "$CACHE{${lib}}" MATCHES "\\.a$")
      message(STATUS "StaticCurl: dropping cached shared ${lib}=$CACHE{${lib}}")
      unset(${lib} CACHE)
    endif()
  endforeach()

  foreach(off IN ITEMS
      BUILD_CURL_EXE ENABLE_MANUAL CURL_ENABLE_EXPORT_TARGET PICKY_COMPILER CURL_WERROR
      CURL_USE_LIBSSH2 CURL_USE_LIBSSH CURL_USE_GSSAPI USE_LIBIDN2 CURL_USE_LIBPSL
      CURL_BROTLI CURL_ZSTD USE_NGHTTP2 ENABLE_ARES)
    _promise_curl_force(${off} BOOL OFF)
  endforeach()
  _promise_curl_force(CURL_ZLIB STRING OFF)  # a STRING (AUTO/ON/OFF) in curl 7.88
  if(PROMISE_CURL_TLS STREQUAL "wolfssl")
    # curl's FindWolfSSL takes the first libwolfssl it finds, the shared one: name the archive.
    find_library(PROMISE_WOLFSSL_ARCHIVE NAMES libwolfssl.a)
    if(NOT PROMISE_WOLFSSL_ARCHIVE)
      message(FATAL_ERROR "PROMISE_CURL_TLS=wolfssl needs libwolfssl.a: apt-get install "
                          "libwolfssl-dev (.ci/install-deps), or -DPROMISE_CURL_TLS=openssl.")
    endif()
    _promise_curl_force(WolfSSL_LIBRARY FILEPATH "${PROMISE_WOLFSSL_ARCHIVE}")
    _promise_curl_force(CURL_USE_OPENSSL BOOL OFF)
    _promise_curl_force(CURL_USE_WOLFSSL BOOL ON)
  else()
    _promise_curl_force(CURL_USE_OPENSSL BOOL ON)
    _promise_curl_force(CURL_USE_WOLFSSL BOOL OFF)
  endif()
  # CURL_DISABLE_OPENSSL_AUTO_LOAD_CONFIG: a static binary must not depend on the host's
  # openssl.cnf (it may name providers this OpenSSL lacks), and parsing it costs start-up time.
  foreach(on IN ITEMS
      HTTP_ONLY CURL_DISABLE_LDAP CURL_DISABLE_LDAPS ENABLE_THREADED_RESOLVER
      CURL_DISABLE_NTLM CURL_DISABLE_ALTSVC CURL_DISABLE_HSTS CURL_DISABLE_COOKIES
      CURL_DISABLE_MIME CURL_DISABLE_NETRC CURL_DISABLE_DOH ENABLE_UNIX_SOCKETS ENABLE_IPV6
      CURL_DISABLE_OPENSSL_AUTO_LOAD_CONFIG)
    _promise_curl_force(${on} BOOL ON)
  endforeach()

  # That cmake_dependent_option still re-types a cached BUILD_TESTING as INTERNAL (value kept),
  # which hides it from cmake-gui/ccmake: remember its type and help text to put them back.
  if(DEFINED CACHE{BUILD_TESTING})
    get_property(testing_type CACHE BUILD_TESTING PROPERTY TYPE)
    get_property(testing_help CACHE BUILD_TESTING PROPERTY HELPSTRING)
  endif()

  # curl's configure prints ~300 "Looking for ..." lines; --log-level on the command line overrides.
  if(NOT DEFINED CMAKE_MESSAGE_LOG_LEVEL)
    set(CMAKE_MESSAGE_LOG_LEVEL NOTICE)
  endif()
  # SYSTEM: curl's headers reach our targets as -isystem, so our -Werror ignores them.
  add_subdirectory("${src}" "${CMAKE_BINARY_DIR}/_deps/curl-build" EXCLUDE_FROM_ALL SYSTEM)

  if(testing_type AND NOT testing_type STREQUAL "INTERNAL")
    set_property(CACHE BUILD_TESTING PROPERTY TYPE "${testing_type}")
    set_property(CACHE BUILD_TESTING PROPERTY HELPSTRING "${testing_help}")
  endif()

  # Third-party code: its warnings are not ours to fix, and must never trip a -Werror.
  if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(libcurl PRIVATE -w)
  endif()
endfunction()

add_library(promise_curl INTERFACE)
add_library(promise::curl ALIAS promise_curl)

if(PROMISE_STATIC)
  if(PROMISE_CURL_SOURCE_DIR)
    set(_promise_curl_src "${PROMISE_CURL_SOURCE_DIR}")
    if(NOT EXISTS "${_promise_curl_src}/CMakeLists.txt"
       OR NOT EXISTS "${_promise_curl_src}/include/curl/curlver.h")
      message(FATAL_ERROR
        "PROMISE_CURL_SOURCE_DIR=${_promise_curl_src} is not a curl source tree "
        "(no CMakeLists.txt or include/curl/curlver.h). Leave it empty to use `apt-get source curl`.")
    endif()
  else()
    _promise_curl_fetch_debian_source(_promise_curl_src)
  endif()

  _promise_curl_add_static("${_promise_curl_src}")
  target_link_libraries(promise_curl INTERFACE CURL::libcurl)
  # libcurl already exports CURL_STATICLIB; repeated so the contract does not rest on curl's build.
  target_compile_definitions(promise_curl INTERFACE CURL_STATICLIB)
  if(PROMISE_CURL_TLS STREQUAL "wolfssl")
    target_link_libraries(promise_curl INTERFACE m)  # libwolfssl.a uses libm
    target_compile_definitions(promise_curl INTERFACE PROMISE_CURL_WOLFSSL=1)
    set(PROMISE_CURL_USES_OPENSSL OFF)
  else()
    set(PROMISE_CURL_USES_OPENSSL ON)
  endif()

  file(STRINGS "${_promise_curl_src}/include/curl/curlver.h" _promise_curl_ver
       REGEX "^#define LIBCURL_VERSION \"")
  string(REGEX REPLACE ".*\"(.*)\".*" "\\1" _promise_curl_ver "${_promise_curl_ver}")
  message(STATUS "promise::curl: static libcurl ${_promise_curl_ver} (HTTP/HTTPS, static "
                 "${PROMISE_CURL_TLS}) from ${_promise_curl_src}")
  unset(_promise_curl_ver)
  unset(_promise_curl_src)
else()
  find_package(CURL REQUIRED)
  target_link_libraries(promise_curl INTERFACE CURL::libcurl)
  set(PROMISE_CURL_USES_OPENSSL ON)  # Debian's libcurl4-openssl-dev
  message(STATUS "promise::curl: system libcurl ${CURL_VERSION_STRING}")
endif()
