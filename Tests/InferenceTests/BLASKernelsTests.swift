import Testing
@testable import Inference

/// Which OpenBLAS kernels a process restarts with: only away from a pre-AVX fallback, and only to
/// what the CPU runs.
struct BLASKernelsTests {
    typealias F = BLASKernels.CPUFeatures

    @Test func fallbackKernelsAreReplacedByWhatTheCPURuns() {
        let skx: F = [.avx, .avx2FMA, .avx512Skylake]
        #expect(BLASKernels.betterCoreType(than: "Prescott", features: skx.union(.avx512BF16)) == "Cooperlake")
        #expect(BLASKernels.betterCoreType(than: "Prescott", features: skx) == "SkylakeX")
        #expect(BLASKernels.betterCoreType(than: "NEHALEM", features: [.avx, .avx2FMA]) == "Haswell")
        #expect(BLASKernels.betterCoreType(than: "Core2", features: [.avx]) == "Sandybridge")
        // BF16 without the rest of AVX-512 is no reason for Cooperlake's kernels.
        #expect(BLASKernels.betterCoreType(than: "Prescott", features: [.avx, .avx2FMA, .avx512BF16]) == "Haswell")
    }

    @Test func aDeliberateChoiceStands() {
        let all: F = [.avx, .avx2FMA, .avx512Skylake, .avx512BF16]
        for chosen in ["Haswell", "SkylakeX", "Cooperlake", "Zen", "Sandybridge"] {
            #expect(BLASKernels.betterCoreType(than: chosen, features: all) == nil, "\(chosen)")
        }
        // Nothing better to offer a CPU without AVX.
        #expect(BLASKernels.betterCoreType(than: "Prescott", features: []) == nil)
    }

    @Test func theKernelsInUseAreNamed() {
        #expect(!BLASKernels.coreName.isEmpty)
        #expect(BLASKernels.summary(pickedAtLoad: nil) == "OpenBLAS kernels \(BLASKernels.coreName)")
        #expect(BLASKernels.summary(pickedAtLoad: "Prescott").contains("OpenBLAS picked Prescott"))
    }
}
