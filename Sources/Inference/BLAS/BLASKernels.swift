import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// Which of OpenBLAS's kernel sets runs the engine's gemms.
///
/// Debian's OpenBLAS (0.3.21, DYNAMIC_ARCH) picks its kernels when it is loaded, from the CPU's
/// family and model. A CPU newer than the library — Emerald Rapids (family 6, model 207) on this
/// project's VMs — is not in its table, and it falls back to its generic SSE3 kernels ("Prescott"):
/// measured on such a VM, sgemm peak 31 GFLOP/s against 245 with the Cooperlake kernels the CPU can
/// run, and the 512x512 context pass 1.45 s against 0.52 s. OpenBLAS reads `OPENBLAS_CORETYPE` to
/// override the choice, only at load, so a process that finds the fallback restarts itself with it
/// set (`semadjust`'s StartupPolicy and the benchmark's entry point do; see `coreTypeOverride`).
public enum BLASKernels {
    /// The kernel set in use.
    public static var coreName: String { String(cString: cblas_shim_core_name()) }

    /// The kernels to ask for instead of `coreName`, or nil when OpenBLAS's choice stands: only
    /// when it fell back to kernels older than AVX while the CPU runs AVX2 or AVX-512.
    public static func betterCoreType(than coreName: String, features: CPUFeatures) -> String? {
        let fallbacks: Set<String> = ["prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "katmai", "coppermine", "northwood", "banias"]
        guard fallbacks.contains(coreName.lowercased()) else { return nil }
        if features.contains(.avx512Skylake) { return features.contains(.avx512BF16) ? "Cooperlake" : "SkylakeX" }
        if features.contains(.avx2FMA) { return "Haswell" }
        if features.contains(.avx) { return "Sandybridge" }
        return nil
    }

    /// The `OPENBLAS_CORETYPE` this process should have been started with, or nil when OpenBLAS's
    /// choice stands or the variable is set already (an operator's choice, or a restart's). The
    /// variable is read only when the library loads: the caller restarts the process with it.
    public static var coreTypeOverride: String? {
        getenv("OPENBLAS_CORETYPE") == nil ? betterCoreType(than: coreName, features: cpuFeatures) : nil
    }

    /// What a start-up log says of the kernels in use; `pickedAtLoad`: the kernels OpenBLAS had
    /// picked before a restart replaced them.
    public static func summary(pickedAtLoad: String?) -> String {
        guard let pickedAtLoad else { return "OpenBLAS kernels \(coreName)" }
        return "OpenBLAS kernels \(coreName) (OpenBLAS picked \(pickedAtLoad) for this CPU; restarted with OPENBLAS_CORETYPE=\(coreName))"
    }

    /// What this CPU runs (checked with the OS's support for the wider registers).
    public static var cpuFeatures: CPUFeatures { CPUFeatures(rawValue: sa_cpu_features()) }

    /// Instruction-set extensions that decide between OpenBLAS's x86-64 kernel sets.
    public struct CPUFeatures: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        public static let avx = CPUFeatures(rawValue: UInt32(SA_CPU_AVX))
        public static let avx2FMA = CPUFeatures(rawValue: UInt32(SA_CPU_AVX2_FMA))
        /// AVX-512 F, BW, VL, DQ and CD.
        public static let avx512Skylake = CPUFeatures(rawValue: UInt32(SA_CPU_AVX512_SKX))
        public static let avx512BF16 = CPUFeatures(rawValue: UInt32(SA_CPU_AVX512_BF16))
    }
}
