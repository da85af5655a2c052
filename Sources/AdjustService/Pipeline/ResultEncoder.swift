import Dispatch
import Imaging
import Locks

/// The answer's bytes from a colour pass: the JPEG — only the segments whose pixels changed
/// re-encoded when the pass started from a first render of the same quality, else encoded whole —
/// and the map's PNG.
struct ResultEncoder {
    let quality: Int
    let iccProfile: [UInt8]?
    let threads: Int

    func encode(_ pass: ColourPass.Output, width: Int, height: Int, map: LabelMap?) throws(AdjustError) -> (jpeg: SegmentedJPEG, mapPNG: [UInt8]?) {
        let image = RGBImage(width: width, height: height, pixels: pass.pixels)
        // The photo and the map are independent encodes (at 12 MP the JPEG ~60-80 ms, the PNG ~35 ms):
        // with two threads to spare they run at once, the JPEG's re-encode on the threads the PNG
        // leaves (a nested concurrentPerform would run serially). A map handed back as it was sent
        // costs nothing, so then the JPEG has every thread.
        let parallel = map.map { !$0.hasSourcePNG } == true && threads >= 2
        let jpegThreads = parallel ? threads - 1 : threads
        let (quality, iccProfile) = (quality, iccProfile)
        let reference = pass.reencodes ? pass.reference : nil, changedColumns = pass.columns
        let (jpegResult, mapResult) = Self.both(
            parallel: parallel,
            { () -> Result<SegmentedJPEG, AdjustError> in
                do throws(ImagingError) {
                    // A re-render at the first render's quality re-encodes only the segments whose
                    // pixels it rendered. The JPEG has standard Huffman tables (segments must encode
                    // alike apart; optimal tables would also cost a second pass, 2-3x the time at
                    // 12 MP, for files 4-6 % smaller) and restart markers (~0.5 % of the file).
                    if let reference, let changedColumns {
                        return .success(try reference.jpeg.reencoding(image, changedColumns: changedColumns, threads: jpegThreads))
                    }
                    return .success(try SegmentedJPEG(encoding: image, quality: quality, iccProfile: iccProfile))
                } catch {
                    return .failure(.encoding(error))
                }
            },
            { () -> Result<[UInt8]?, AdjustError> in
                guard let map else { return .success(nil) }
                do throws(AdjustError) { return .success(try map.png()) } catch { return .failure(error) }
            })
        return (try jpegResult.get(), try mapResult.get())
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
