import CMallocShim
#if canImport(Glibc)
import Glibc
#endif

/// Process limits and allocator settings the service sets at start (StartupPolicy applies them).
enum ResourceLimits {
    static let hugePageTunable = "glibc.malloc.hugetlb=1"

    /// Whether this process should be (re)started with glibc's `glibc.malloc.hugetlb=1` tunable
    /// (glibc ≥ 2.35), which makes malloc advise transparent huge pages on the blocks it maps. Every
    /// buffer of a request from 1 MiB up is such a block (see `returnLargeBuffersToTheSystem`), so
    /// without it a 12 MP request faults its photo, map and output buffers in 4 KB at a time, each
    /// page zeroed on the fault: about half of a 12 MP label map's decode and a third of a re-render
    /// (BENCHMARKS.md). No when the tunable is set already (an operator's choice, or a restart's) or
    /// the kernel has transparent huge pages off.
    static func wantsHugePageMalloc(tunables: String) -> Bool {
        !tunables.contains("glibc.malloc.hugetlb") && transparentHugePagesAvailable
    }

    /// Whether the kernel offers transparent huge pages to a process that asks (`always` or
    /// `madvise`, not `never`).
    static var transparentHugePagesAvailable: Bool {
        guard let file = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r") else { return false }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 128)
        guard fgets(&line, Int32(line.count), file) != nil else { return false }
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return !text.contains("[never]")
    }

    /// Raises the soft open-file limit to the hard limit: the default soft limit (often 1024)
    /// would cap connections below `--max-connections` and make accept fail with EMFILE.
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// Makes every allocation of at least 1 MiB its own mapping, returned to the system when freed.
    /// glibc's default threshold adapts upwards (to 32 MiB) once a large block is freed, after which
    /// a request's big transient buffers (a 12 MP photo's 36 MB of bytes, its label map, the JPEG)
    /// come from the heap and stay resident after the request (it lowers peak and after-load RSS
    /// for a few page faults more per request; BENCHMARKS.md has the measurement).
    static func returnLargeBuffersToTheSystem() {
        _ = cmalloc_set_mmap_threshold(1 << 20)
    }
}
