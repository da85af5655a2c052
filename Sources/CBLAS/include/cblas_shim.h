// OpenBLAS's CBLAS surface for Swift. Debian's libopenblas-dev puts cblas.h (with the
// openblas_* thread controls) in the multiarch include directory, so no search path is needed.
// The engine's BLAS calls are sgemm/sgemv and the thread count; its own C kernels are CEngineKernels.
#ifndef CBLAS_SHIM_H
#define CBLAS_SHIM_H

#include <cblas.h>

// The CPU's instruction-set extensions, for the choice of OpenBLAS kernels (BLASKernels). Included
// here, not only through the umbrella directory, so that clang module caches rebuild with it.
#include "cpu_features.h"

// OpenBLAS's own thread count: the engine sets it once so that inference workers x BLAS threads
// never exceed the cores (see BLASThreads.swift).
static inline void cblas_shim_set_threads(int n) { openblas_set_num_threads(n); }
static inline int cblas_shim_get_threads(void) { return openblas_get_num_threads(); }

// The kernel set OpenBLAS's runtime dispatch picked when it was loaded ("Prescott", "SkylakeX", ...).
static inline const char *cblas_shim_core_name(void) { return openblas_get_corename(); }

#endif
