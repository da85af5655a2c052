// SA_CLONES: compile a hot loop for AVX-512, AVX2+FMA and baseline x86-64, picked once at load time
// by the CPU's flags (target_clones). The Swift targets build for baseline x86-64 (SSE2, no FMA).
#ifndef SA_CLONES_H
#define SA_CLONES_H

#ifndef __has_feature
#define __has_feature(x) 0
#endif
// No clones under ThreadSanitizer: the ifunc resolvers they need run during dynamic relocation,
// before the TSan runtime is up, and the instrumented resolver crashes the process at load.
#if defined(__x86_64__) && defined(__linux__) && !__has_feature(thread_sanitizer)
#define SA_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define SA_CLONES
#endif

#endif
