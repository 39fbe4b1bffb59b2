// The process's peak resident memory as the kernel counts it (getrusage RUSAGE_SELF,
// ru_maxrss): the most physical memory the process has held at any one time so far. It
// covers the whole process, so in a batch run with --jobs above 1 it includes the runs
// that share it.
// Threading: any thread may call it.
#pragma once

namespace sslflow::engine {

// In MiB (2^20 bytes).
double peak_resident_mib();

}  // namespace sslflow::engine
