// The default options of the sanitizer runtimes, linked into every executable of a
// sanitizer build (sanitizers.cmake): each runtime calls its hook once, at start-up,
// before main, and reads the suppression file of its own in this directory. The options
// in ASAN_OPTIONS, UBSAN_OPTIONS, LSAN_OPTIONS and TSAN_OPTIONS are read after these.
//
// The runtime that a build does not link never calls its hook.

#include <cstdlib>

#define SSLFLOW_SANITIZER_HOOK \
  extern "C" __attribute__((visibility("default"), used, no_sanitize_address, no_sanitize_thread))

SSLFLOW_SANITIZER_HOOK const char* __asan_default_options() {
  return "strict_init_order=1";
}

SSLFLOW_SANITIZER_HOOK const char* __ubsan_default_options() {
  return "print_stacktrace=1:suppressions=" SSLFLOW_SANITIZER_DIR "/ubsan.supp";
}

SSLFLOW_SANITIZER_HOOK const char* __lsan_default_options() {
  return "suppressions=" SSLFLOW_SANITIZER_DIR "/lsan.supp";
}

// history_size=7, the largest: tsan.supp's oneTBB entries match a frame of the previous
// access, which TSan reports only while that access is still in its per-thread history.
SSLFLOW_SANITIZER_HOOK const char* __tsan_default_options() {
  return "second_deadlock_stack=1:history_size=7:suppressions=" SSLFLOW_SANITIZER_DIR "/tsan.supp";
}

#ifdef SSLFLOW_TSAN_TBB_SYNC_LIBRARY
// The ThreadSanitizer build: libtbb loads the library that turns its ITT notifications
// into TSan annotations (tsan_tbb_sync.cpp). libtbb reads these variables once, when its
// scheduler first starts, which is after every static initialiser has run; a tool the
// environment already names is kept.
__attribute__((constructor)) static void hand_tbb_sync_to_tsan() {
  setenv("INTEL_LIBITTNOTIFY64", SSLFLOW_TSAN_TBB_SYNC_LIBRARY, 0);
  setenv("INTEL_ITTNOTIFY_GROUPS", "sync", 0);
}
#endif
