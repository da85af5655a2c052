#include "cmalloc_shim.h"

#include <stdlib.h>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

int cmalloc_set_mmap_threshold(size_t bytes) {
#if defined(__GLIBC__)
    // Setting M_MMAP_THRESHOLD explicitly also disables the dynamic adjustment.
    return mallopt(M_MMAP_THRESHOLD, (int)bytes);
#else
    (void)bytes;
    return 0;
#endif
}
