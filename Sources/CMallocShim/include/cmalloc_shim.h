// glibc's malloc tuning, which Swift's Glibc module does not import (<malloc.h>, macro constants).
#ifndef CMALLOC_SHIM_H
#define CMALLOC_SHIM_H

#include <stddef.h>

// Serves every allocation of at least `bytes` from its own mapping, unmapped when freed, and stops
// glibc from raising that threshold dynamically. Returns 0 where unsupported or refused.
int cmalloc_set_mmap_threshold(size_t bytes);

#endif
