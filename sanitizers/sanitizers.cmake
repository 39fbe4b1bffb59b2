# SSLFLOW_SANITIZE: the sanitizer build (CMakePresets.json's asan and tsan presets set it).
#
#   address,undefined   AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer
#   thread              ThreadSanitizer
#
# Every target of the tree, plugins included, is compiled and linked with the same flags,
# and -fno-sanitize-recover makes the first report end the process, so a report fails its
# test. SSLFLOW_SANITIZER_FLAGS holds the flags for projects built against the install
# (tests/install/check_install.sh builds examples/ with them).
#
# Every executable links default_options.cpp, which points the runtimes at the suppression
# files beside this one; ASAN_OPTIONS, UBSAN_OPTIONS, LSAN_OPTIONS and TSAN_OPTIONS still
# add to or override those defaults.
set(SSLFLOW_SANITIZE "" CACHE STRING "Build with sanitizers: address,undefined or thread (empty: none)")
set_property(CACHE SSLFLOW_SANITIZE PROPERTY STRINGS "" "address,undefined" "thread")
set(SSLFLOW_SANITIZER_FLAGS "")

# SSLFLOW_FUZZ: the fuzz build (the fuzz preset): clang's coverage instrumentation for
# libFuzzer on every target, and fuzz/'s targets linked with libFuzzer.
option(SSLFLOW_FUZZ "Build fuzz/'s targets with libFuzzer (clang)" OFF)
if(SSLFLOW_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SSLFLOW_FUZZ needs clang (libFuzzer): configure with the fuzz preset")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(NOT SSLFLOW_SANITIZE)
  return()
endif()
if(NOT SSLFLOW_SANITIZE MATCHES "^(address|undefined|address,undefined|undefined,address|thread)$")
  message(FATAL_ERROR "SSLFLOW_SANITIZE=${SSLFLOW_SANITIZE}: expected address,undefined or thread")
endif()

# GCC's target_clones resolvers run while the dynamic loader relocates the sdk, before
# ThreadSanitizer's runtime is set up, and crash it: the TSan build has no clones.
if(SSLFLOW_SANITIZE STREQUAL "thread" AND SSLFLOW_SIMD_CLONES)
  message(STATUS "SSLFLOW_SANITIZE=thread: SSLFLOW_SIMD_CLONES is off")
  set(SSLFLOW_SIMD_CLONES OFF)
endif()

set(SSLFLOW_SANITIZER_FLAGS -fsanitize=${SSLFLOW_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
add_compile_options(${SSLFLOW_SANITIZER_FLAGS})
add_link_options(-fsanitize=${SSLFLOW_SANITIZE})

add_library(sslflow_sanitizer_defaults OBJECT "${CMAKE_CURRENT_LIST_DIR}/default_options.cpp")
target_compile_definitions(sslflow_sanitizer_defaults PRIVATE
  SSLFLOW_SANITIZER_DIR="${CMAKE_CURRENT_LIST_DIR}")
# In this build tree only: the installed sdk must not hand the object to its consumers.
link_libraries("$<BUILD_INTERFACE:$<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>:sslflow_sanitizer_defaults>>")

# ThreadSanitizer sees oneTBB's task and wait edges through oneTBB's own ITT notifications
# (tsan_tbb_sync.cpp): the headers emit them with TBB_USE_PROFILING_TOOLS=2, and every
# executable points libtbb at the library that hands them to TSan.
if(SSLFLOW_SANITIZE STREQUAL "thread")
  add_compile_definitions(TBB_USE_PROFILING_TOOLS=2)
  add_library(sslflow_tsan_tbb_sync SHARED "${CMAKE_CURRENT_LIST_DIR}/tsan_tbb_sync.cpp")
  target_compile_definitions(sslflow_sanitizer_defaults PRIVATE
    SSLFLOW_TSAN_TBB_SYNC_LIBRARY="$<TARGET_FILE:sslflow_tsan_tbb_sync>")
  # Linked as well as loaded, so that every executable is built after it.
  target_link_libraries(sslflow_sanitizer_defaults INTERFACE sslflow_tsan_tbb_sync)
endif()
