// The inference engine's own C kernels for Swift: hot loops over contiguous memory, compiled per CPU
// level (SA_CLONES). The BLAS backend is the CBLAS target.
#ifndef ENGINE_KERNELS_H
#define ENGINE_KERNELS_H

#include "colour_kernels.h"
#include "conv_kernels.h"

#endif
