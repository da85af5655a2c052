#include "cpu_features.h"

// __builtin_cpu_supports also checks that the OS saves the wider registers (XGETBV), so a bit set
// here means the instructions can run, not only that CPUID lists them.
uint32_t sa_cpu_features(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    uint32_t f = 0;
    if (__builtin_cpu_supports("avx")) f |= SA_CPU_AVX;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) f |= SA_CPU_AVX2_FMA;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512cd"))
        f |= SA_CPU_AVX512_SKX;
    if (__builtin_cpu_supports("avx512bf16")) f |= SA_CPU_AVX512_BF16;
    return f;
#else
    return 0;
#endif
}
