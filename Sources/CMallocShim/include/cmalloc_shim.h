// glibc's malloc tuning, which Swift's Glibc module does not import (<malloc.h>, macro constants).
#ifndef CMALLOC_SHIM_H
#define CMALLOC_SHIM_H

#include <stddef.h>

// Serves every allocation of at least `bytes` from its own mapping, unmapped when freed, and stops
// glibc from raising that threshold dynamically. Returns 0 where unsupported or refused.
int cmalloc_set_mmap_threshold(size_t bytes);

// Asks the kernel to back [p, p + bytes) with transparent huge pages where it can (MADV_HUGEPAGE; p
// page-aligned). A 64 MB buffer then faults in 32 times instead of 16 384. Returns 1 when accepted.
int cmalloc_advise_huge_pages(void *p, size_t bytes);

#endif
