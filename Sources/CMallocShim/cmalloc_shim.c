#include "cmalloc_shim.h"

#include <stdlib.h>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__linux__)
#include <sys/mman.h>
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

int cmalloc_advise_huge_pages(void *p, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    return madvise(p, bytes, MADV_HUGEPAGE) == 0;
#else
    (void)p;
    (void)bytes;
    return 0;
#endif
}
