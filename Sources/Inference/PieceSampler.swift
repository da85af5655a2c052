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

    func verticalRow(_ y: Int, into buf: UnsafeMutablePointer<Float>) {
        let n = rowBufferCount
        let wy = rows.weight[y]
        map.data.withUnsafeBufferPointer { d in
            let r0 = d.baseAddress! + Int(rows.lower[y]) * n
            let r1 = d.baseAddress! + Int(rows.upper[y]) * n
            let w0 = 1 - wy
            for i in 0..<n { buf[i] = r0[i] * w0 + r1[i] * wy }
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
