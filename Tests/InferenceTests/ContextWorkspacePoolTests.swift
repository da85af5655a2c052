import Testing
@_spi(Planes) @testable import Inference

/// The pool lends each workspace to one call at a time, reuses it for the next call, and makes a
/// second one only for calls that overlap (or that ask for another thread count).
@Suite struct ContextWorkspacePoolTests {
    @Test func reusesOneWorkspaceForCallsInTurn() {
        let pool = ContextWorkspacePool()
        for _ in 0..<3 {
            pool.withWorkspace(threads: 2) { ws in #expect(ws.threads == 2) }
        }
        #expect(pool.idleCount == 1)
        pool.withWorkspace(threads: 1) { ws in #expect(ws.threads == 1) }
        #expect(pool.idleCount == 2)
    }

    @Test func overlappingCallsGetTheirOwn() {
        let pool = ContextWorkspacePool()
        pool.withWorkspace(threads: 1) { _ in
            pool.withWorkspace(threads: 1) { _ in #expect(pool.idleCount == 0) }
        }
        #expect(pool.idleCount == 2)
    }

    @Test func aPassThroughThePoolEqualsAFreshOne() throws {
        let model = try SAAdjustModel(trunkPath: Fixtures.path("tiny-trunk.safetensors"),
                                      headPath: Fixtures.path("tiny-model.safetensors"))
        let values: [Float] = (0..<(3 * 40 * 48)).map { (i: Int) -> Float in Float((i &* 2_654_435_761) % 255) / 255 }
        let rgb = Tensor(shape: TensorShape(channels: 3, height: 40, width: 48), values: values)
        let pool = ContextWorkspacePool()
        let fresh = try model.context(rgb: rgb)
        for _ in 0..<2 {  // the second pass runs on the first one's buffers
            let pooled = try pool.withWorkspace(threads: 2) { (ws: inout ContextWorkspace) throws(ModelError) in
                try model.context(rgb: rgb, workspace: &ws)
            }
            #expect(pooled.conv1Piece.data.withUnsafeBufferPointer { Array($0) }
                    == fresh.conv1Piece.data.withUnsafeBufferPointer { Array($0) })
        }
    }
}
