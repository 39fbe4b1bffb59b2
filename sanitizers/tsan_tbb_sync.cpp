// ThreadSanitizer's view of oneTBB's synchronisation, for the TSan build (sanitizers.cmake).
//
// Debian's oneTBB is not instrumented, so TSan cannot see the happens-before edges that
// its scheduler makes: a task spawned on one thread and run on another, a wait that
// returns once the tasks it waited for are done. Without them, every write a task reads
// that its spawner made would be reported as a race. oneTBB announces exactly those edges
// to profiling tools through the ITT notification API: with TBB_USE_PROFILING_TOOLS=2, its
// headers call sync_releasing on a task before spawning it and on a wait context whenever
// a task leaves it, and sync_acquired on a wait context after a wait; libtbb's dispatcher
// calls sync_acquired on each task just before running it, once a tool is loaded.
//
// This library is that tool: libtbb loads it from INTEL_LIBITTNOTIFY64 (the build's
// executables set it at start-up, default_options.cpp) and this maps the notifications
// onto TSan's own annotations, so that releasing(p) happens before every later
// acquired(p). Exporting __itt_api_version makes libtbb look each function up by name,
// within the groups of INTEL_ITTNOTIFY_GROUPS ("sync").

extern "C" {
void __tsan_acquire(void* addr);
void __tsan_release(void* addr);

#define SSLFLOW_ITT_EXPORT __attribute__((visibility("default")))

SSLFLOW_ITT_EXPORT int __itt_api_version() { return 1; }

SSLFLOW_ITT_EXPORT void __itt_sync_releasing(void* addr) { __tsan_release(addr); }
SSLFLOW_ITT_EXPORT void __itt_sync_acquired(void* addr) { __tsan_acquire(addr); }
SSLFLOW_ITT_EXPORT void __itt_sync_prepare(void*) {}
SSLFLOW_ITT_EXPORT void __itt_sync_cancel(void*) {}
}
