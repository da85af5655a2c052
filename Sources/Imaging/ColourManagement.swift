import CLCMS
import Dispatch

/// Converts decoded pixels from the colour space their file declares to sRGB with LittleCMS
/// (perceptual intent; for the matrix-shaper profiles photos carry — Display P3, Adobe RGB,
/// ProPhoto — the same as relative colorimetric).
///
/// Why the answer stays sRGB instead of going back into the source's profile: the model learned
/// its adjustments in sRGB → Lab, so its output colours are sRGB colours; converting them back into
/// P3 would only re-encode the same gamut-mapped values with a wider profile, at a second
/// transform's cost, and make every answer's colour space depend on the upload. An sRGB answer,
/// tagged as such, displays the same in every browser and viewer. What is lost is the part of a
/// wide-gamut photo outside sRGB (saturated reds and greens of a P3 photo), mapped into sRGB here
/// once rather than shown wrongly: untagged P3 pixels read as sRGB look duller.
public struct ColourManagement: Sendable {
    /// Threads the conversion may spread over (disjoint row bands; the transform is cache-free).
    public var threads: Int

    public init(threads: Int = 1) {
        self.threads = max(1, threads)
    }

    /// LittleCMS's sRGB profile, which converted answers carry.
    public static let sRGBProfile: [UInt8] = {
        var bytes: UnsafeMutablePointer<UInt8>?
        var count = 0
        guard clcms_srgb_profile(&bytes, &count) == Int32(CLCMS_OK.rawValue), let bytes else { return [] }
        defer { clcms_free(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: count))
    }()

    /// `decoded` in sRGB: pixels converted when its profile (or nclx box) says otherwise, the output
    /// profile and `colourConversion` set to say what was done.
    public func toSRGB(_ decoded: DecodedImage) -> DecodedImage {
        var result = decoded
        let transform: OpaquePointer
        let source: String
        if let icc = decoded.iccProfile {
            var handle: OpaquePointer?
            var description = [CChar](repeating: 0, count: 128)
            let status = icc.withUnsafeBufferPointer { clcms_transform_from_icc($0.baseAddress, $0.count, &handle, &description, 128) }
            let name = String(decoding: description.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            switch UInt32(bitPattern: status) {
            case CLCMS_OK.rawValue:
                guard let handle else { return result }
                transform = handle
                source = name.isEmpty ? "the embedded ICC profile" : "the ICC profile '\(name)'"
            case CLCMS_ERR_IS_SRGB.rawValue:
                result.colourConversion = .alreadySRGB
                return result
            case CLCMS_ERR_NOT_RGB.rawValue:
                return Self.ignoring(result, "the ICC profile '\(name)' is not for RGB or gray data")
            case CLCMS_ERR_INVALID_PROFILE.rawValue:
                return Self.ignoring(result, "the embedded ICC profile cannot be read")
            default:
                return Self.ignoring(result, "no transform from the ICC profile '\(name)' to sRGB")
            }
        } else if let nclx = decoded.nclx, !nclx.isSRGB, nclx.primariesXY.count == 8 {
            var handle: OpaquePointer?
            let status = nclx.primariesXY.withUnsafeBufferPointer { clcms_transform_from_nclx($0.baseAddress, Int32(nclx.transfer), &handle) }
            switch UInt32(bitPattern: status) {
            case CLCMS_OK.rawValue:
                guard let handle else { return result }
                transform = handle
                source = "nclx primaries \(nclx.primaries), transfer \(nclx.transfer)"
            case CLCMS_ERR_IS_SRGB.rawValue:
                return result
            default:
                return Self.ignoring(result, "nclx transfer \(nclx.transfer) (PQ, HLG or unknown) has no SDR conversion here")
            }
        } else {
            return result
        }
        defer { clcms_transform_destroy(transform) }
        run(transform, on: &result.image.pixels)
        result.iccProfile = Self.sRGBProfile.isEmpty ? nil : Self.sRGBProfile
        result.colourConversion = .converted(from: source)
        return result
    }

    private func run(_ transform: OpaquePointer, on pixels: inout [UInt8]) {
        let count = pixels.count / 3
        // At least ~1 MP a band: below that a thread's start-up is a large part of its work.
        let bands = min(threads, max(1, count / (1 << 20)))
        let handle = TransformHandle(transform)
        pixels.withUnsafeMutableBufferPointer { buffer in
            let base = SendableBytes(buffer.baseAddress!)
            if bands == 1 {
                clcms_transform_run(handle.pointer, base.pointer, count)
                return
            }
            DispatchQueue.concurrentPerform(iterations: bands) { band in
                let start = count * band / bands, end = count * (band + 1) / bands
                clcms_transform_run(handle.pointer, base.pointer + start * 3, end - start)
            }
        }
    }

    private static func ignoring(_ decoded: DecodedImage, _ reason: String) -> DecodedImage {
        var result = decoded
        result.iccProfile = nil
        result.colourConversion = .ignored(reason: reason)
        return result
    }
}

/// The transform, shared by the bands of one conversion (built with cmsFLAGS_NOCACHE: lcms keeps
/// no per-call state in it).
private struct TransformHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}

/// The pixels, written by the bands at disjoint offsets.
private struct SendableBytes: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<UInt8>
    init(_ pointer: UnsafeMutablePointer<UInt8>) { self.pointer = pointer }
}
