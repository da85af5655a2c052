import Dispatch
import Imaging
import Locks

/// The answer's bytes from a colour pass: the photo — a JPEG with only the segments whose pixels
/// changed re-encoded when the pass started from a first render of the same quality, else encoded
/// whole, in whichever format was asked for — and the map's PNG.
struct ResultEncoder {
    struct Output {
        let image: [UInt8]
        /// The JPEG's segments, for the photo's later re-renders (nil for the other formats).
        let segments: SegmentedJPEG?
        let mapPNG: [UInt8]?
    }

    let format: OutputFormat
    let quality: Int
    let iccProfile: [UInt8]?
    let threads: Int

    func encode(_ pass: ColourPass.Output, width: Int, height: Int, map: LabelMap?) throws(AdjustError) -> Output {
        let image = RGBImage(width: width, height: height, pixels: pass.pixels)
        // The photo and the map are independent encodes (at 12 MP the JPEG ~60-80 ms, the PNG ~35 ms):
        // with two threads to spare they run at once, the JPEG's re-encode on the threads the PNG
        // leaves (a nested concurrentPerform would run serially). A map handed back as it was sent
        // costs nothing, so then the JPEG has every thread.
        let parallel = map.map { !$0.hasSourcePNG } == true && threads >= 2
        let jpegThreads = parallel ? threads - 1 : threads
        let (format, quality, iccProfile) = (format, quality, iccProfile)
        let reference = pass.reencodes ? pass.reference : nil, changedColumns = pass.columns
        let (jpegResult, mapResult) = Self.both(
            parallel: parallel,
            { () -> Result<(image: [UInt8], segments: SegmentedJPEG?), AdjustError> in
                do throws(ImagingError) {
                    guard format == .jpeg else {
                        return .success((try PhotoEncoder(format: format, quality: quality, threads: jpegThreads)
                            .encode(image, iccProfile: iccProfile), nil))
                    }
                    // A re-render at the first render's quality re-encodes only the segments whose
                    // pixels it rendered. The JPEG has standard Huffman tables (segments must encode
                    // alike apart; optimal tables would also cost a second pass, 2-3x the time at
                    // 12 MP, for files 4-6 % smaller) and restart markers (~0.5 % of the file).
                    let jpeg = if let segments = reference?.jpeg, let changedColumns {
                        try segments.reencoding(image, changedColumns: changedColumns, threads: jpegThreads)
                    } else {
                        try SegmentedJPEG(encoding: image, quality: quality, iccProfile: iccProfile)
                    }
                    return .success((jpeg.bytes, jpeg))
                } catch {
                    return .failure(.encoding(error))
                }
            },
            { () -> Result<[UInt8]?, AdjustError> in
                guard let map else { return .success(nil) }
                do throws(AdjustError) { return .success(try map.png()) } catch { return .failure(error) }
            })
        let photo = try jpegResult.get()
        return Output(image: photo.image, segments: photo.segments, mapPNG: try mapResult.get())
    }

    /// `first()` and `second()`, on two threads at once when `parallel`, else one after the other.
    static func both<A: Sendable, B: Sendable>(
        parallel: Bool, _ first: @Sendable () -> A, _ second: @Sendable () -> B
    ) -> (A, B) {
        guard parallel else { return (first(), second()) }
        let a = LockedValue<A?>(nil), b = LockedValue<B?>(nil)
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            if i == 0 { let v = first(); a.withLock { $0 = v } } else { let v = second(); b.withLock { $0 = v } }
        }
        return (a.withLock { $0! }, b.withLock { $0! })
    }
}
