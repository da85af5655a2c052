import CEngineKernels

/// Bilinear sampling of one ChannelsLastMap onto an H×W grid, row by row: the vertical lerp of a whole
/// source row pair happens once per output row (into a caller buffer of width·channels floats), then each
/// output pixel is a 2-tap lerp over contiguous channels.
struct PieceSampler: Sendable {
    let map: ChannelsLastMap
    let rows: BilinearTaps
    let columns: BilinearTaps

    init(_ map: ChannelsLastMap, height: Int, width: Int) {
        self.map = map
        rows = BilinearTaps(source: map.height, destination: height)
        columns = BilinearTaps(source: map.width, destination: width)
    }

    var rowBufferCount: Int { map.width * map.channels }

    /// The vertical lerp of row y into `buf` (laid out as the whole source row), for the source
    /// columns that the output columns `span` read (all of them by default).
    func verticalRow(_ y: Int, span: Range<Int>? = nil, into buf: UnsafeMutablePointer<Float>) {
        let c = map.channels
        let first = span.map { Int(columns.lower[$0.lowerBound]) } ?? 0
        let end = span.map { Int(columns.upper[$0.upperBound - 1]) + 1 } ?? map.width
        let n = map.width * c
        map.data.withUnsafeBufferPointer { d in
            let r0 = d.baseAddress! + Int(rows.lower[y]) * n + first * c
            let r1 = d.baseAddress! + Int(rows.upper[y]) * n + first * c
            sa_lerp(r0, r1, rows.weight[y], (end - first) * c, buf + first * c)
        }
    }

    /// dst[c] (+)= lerp of the row buffer at output column x.
    @inline(__always)
    func horizontal(_ x: Int, row buf: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let c = map.channels
        let a = buf + Int(columns.lower[x]) * c, b = buf + Int(columns.upper[x]) * c
        let wx = columns.weight[x], w0 = 1 - wx
        if accumulate {
            for i in 0..<c { dst[i] += a[i] * w0 + b[i] * wx }
        } else {
            for i in 0..<c { dst[i] = a[i] * w0 + b[i] * wx }
        }
    }
}
