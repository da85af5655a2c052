import Dispatch

/// A cached photo's pixels rendered under every preset other than the one its first render gave
/// them, made in idle time after the first answer (`PresetAlternativesBuilder`). With them, a
/// re-render with a repainted label map picks each changed pixel's bytes instead of rendering it:
/// a pixel's output depends on nothing but its own colour and label, so these are exactly the bytes
/// the colour pass would write, and a repaint costs the same whatever its area.
///
/// Rotation j (1..<K) holds every pixel rendered under preset (first label + j) mod K, so the
/// rotations together with the first render hold each pixel under all K presets without any
/// pixel rendered twice: 3 (K − 1) bytes per pixel (36 MB per extra preset at 12 MP).
struct PresetAlternatives: Sendable {
    let presetCount: Int
    /// K − 1 photo-sized RGB8 images one after the other, rotation 1 first.
    let rotations: [UInt8]

    var byteCount: Int { rotations.count }

    /// Writes into `out` (a photo-sized RGB8 buffer), for every row in `rows` and the columns
    /// `columns[y]` of it, the pixel as rendered under `labels` (each < K): from the first render
    /// where the label is unchanged, else from the rotation that holds it. Rows are shared out to
    /// `threads` threads.
    func fill(_ out: UnsafeMutablePointer<UInt8>, labels: [UInt8], reference: ReferenceRender, width: Int,
              rows: [Range<Int>], columns: [Range<Int>], threads: Int) {
        let pixelBytes = reference.pixels.count, k = presetCount
        precondition(labels.count == reference.labels.count && rotations.count == (k - 1) * pixelBytes)
        let spans = rows.flatMap { $0 }.filter { !columns[$0].isEmpty }
        guard !spans.isEmpty else { return }
        let output = SendableBytes(out)
        labels.withUnsafeBufferPointer { newLabels in
            reference.labels.withUnsafeBufferPointer { oldLabels in
                reference.pixels.withUnsafeBufferPointer { first in
                    rotations.withUnsafeBufferPointer { rotated in
                        // One base pointer per rotation distance, 0 being the first render.
                        let sources = [SendableConstBytes(first.baseAddress!)]
                            + (0..<(k - 1)).map { SendableConstBytes(rotated.baseAddress! + $0 * pixelBytes) }
                        Self.copyRuns(spans: spans, columns: columns, width: width, k: k, into: output, from: sources,
                                      new: SendableConstBytes(newLabels.baseAddress!),
                                      old: SendableConstBytes(oldLabels.baseAddress!), threads: threads)
                    }
                }
            }
        }
    }

    /// For each row of `spans`, its columns copied in runs of one rotation distance (a painted map
    /// changes in long runs), the rows shared out to `threads` threads.
    private static func copyRuns(spans: [Int], columns: [Range<Int>], width: Int, k: Int, into output: SendableBytes,
                                 from sources: [SendableConstBytes], new: SendableConstBytes, old: SendableConstBytes,
                                 threads: Int) {
        let chunks = max(1, min(threads, spans.count))
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            for y in spans[(spans.count * chunk / chunks)..<(spans.count * (chunk + 1) / chunks)] {
                let span = columns[y], row = y * width
                var x = span.lowerBound
                while x < span.upperBound {
                    let distance = Self.distance(new.pointer[row + x], old.pointer[row + x], k)
                    var end = x + 1
                    while end < span.upperBound, Self.distance(new.pointer[row + end], old.pointer[row + end], k) == distance {
                        end += 1
                    }
                    (output.pointer + 3 * (row + x)).update(from: sources[distance].pointer + 3 * (row + x), count: 3 * (end - x))
                    x = end
                }
            }
        }
    }
}

extension PresetAlternatives {
    /// (new − old) mod K for labels below K, without a division.
    @inline(__always)
    static func distance(_ new: UInt8, _ old: UInt8, _ k: Int) -> Int {
        let d = Int(new) - Int(old)
        return d < 0 ? d + k : d
    }
}

/// Pointers handed to concurrentPerform's iterations, each writing rows no other touches.
private struct SendableBytes: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<UInt8>
    init(_ pointer: UnsafeMutablePointer<UInt8>) { self.pointer = pointer }
}

private struct SendableConstBytes: @unchecked Sendable {
    let pointer: UnsafePointer<UInt8>
    init(_ pointer: UnsafePointer<UInt8>) { self.pointer = pointer }
}
