#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reconstruction kernels for `Resampler`, defined as in Pillow so results
/// can be checked against `Image.resize` on mode "F" images.
public enum ResampleFilter: Sendable, Equatable {
    /// Area average when downscaling: each output pixel is the mean of the
    /// input area it covers, partial pixels weighted by coverage.
    case box
    /// Lanczos with 3 lobes: sharper than box, slight ringing at hard edges.
    case lanczos3
    /// Triangle (Pillow's antialiased BILINEAR): what the training code resizes photos to the
    /// working resolution with, so inference must use it too.
    case triangle

    /// Half-width of the kernel in input pixels at scale 1.
    var support: Double {
        switch self {
        case .box: return 0.5
        case .lanczos3: return 3
        case .triangle: return 1
        }
    }

    func weight(_ x: Double) -> Double {
        switch self {
        case .box:
            return x > -0.5 && x <= 0.5 ? 1 : 0
        case .lanczos3:
            return -3 <= x && x < 3 ? Self.sinc(x) * Self.sinc(x / 3) : 0
        case .triangle:
            return abs(x) < 1 ? 1 - abs(x) : 0
        }
    }

    private static func sinc(_ x: Double) -> Double {
        if x == 0 { return 1 }
        let px = x * Double.pi
        return sin(px) / px
    }
}
