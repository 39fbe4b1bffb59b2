// SSLFLOW_SIMD_CLONES marks a kernel function to be compiled twice, for x86-64-v3 (AVX2,
// FMA) and for the baseline x86-64, with the version picked once at load time (GCC's
// target_clones, resolved through an ifunc). Hot loops then vectorise eight floats wide on
// current CPUs while the library still runs on any x86-64. Elsewhere, and when the build
// defines SSLFLOW_NO_SIMD_CLONES (CMake's SSLFLOW_SIMD_CLONES=OFF, forced off under
// ThreadSanitizer, whose runtime the ifunc resolvers crash at load), it expands to nothing.
//
// Only the marked function and what is inlined into it get the clones; a lambda is a
// function of its own. Cloned kernels therefore take an index range and are called from
// inside the bodies of detail::parallel_for.
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__ELF__) && \
    !defined(SSLFLOW_NO_SIMD_CLONES)
#define SSLFLOW_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define SSLFLOW_SIMD_CLONES
#endif
