// What the CPU can run, for choosing OpenBLAS's kernels (see BLASKernels.swift).
#ifndef SA_CPU_FEATURES_H
#define SA_CPU_FEATURES_H

#include <stdint.h>

enum {
    SA_CPU_AVX = 1u << 0,
    SA_CPU_AVX2_FMA = 1u << 1,
    SA_CPU_AVX512_SKX = 1u << 2,   // F, BW, VL, DQ, CD: OpenBLAS's SkylakeX kernels
    SA_CPU_AVX512_BF16 = 1u << 3,  // with the above: its Cooperlake kernels
};

uint32_t sa_cpu_features(void);

#endif
