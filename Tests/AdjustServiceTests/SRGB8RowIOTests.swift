@testable import AdjustService
import Imaging
@_spi(Planes) import Inference
import Testing

/// The service renders straight from and into 8-bit sRGB rows (LabRowIO.srgb8); it must give the
/// bytes the float-plane path gives (sRGB planes → Lab planes → render → sRGB planes → bytes), for
/// the exact and the guided method, in place and into a second buffer.
struct SRGB8RowIOTests {
    @Test(arguments: [RenderMethod.exact, .guided(GuidedRenderSettings(guideLongSide: 64, cellSize: 4))])
    func bytesRenderLikeThePlanes(method: RenderMethod) throws {
        let model = try AdjustPipelineTests.pipeline().model
        let (width, height) = (150, 110)
        let photo = try ImageDecoder().decode(try AdjustPipelineTests.photo(width: width, height: height)).image
        let working = model.workingSize(height: height, width: width)
        let small = Resampler.resize(photo, width: working.width, height: working.height, filter: .triangle)
        let context = try model.context(rgb: Tensor(
            shape: TensorShape(channels: 3, height: small.height, width: small.width), values: small.data))

        let lab = LabConverter.srgbToLab(PlanarImage(photo))
        let rendered = try model.render(
            lab: Tensor(shape: TensorShape(channels: 3, height: height, width: width), values: lab.data),
            context: context, map: .argmax, method: method, threads: 2)
        let expected = LabConverter.labToSRGB(PlanarImage(width: width, height: height, channels: 3, data: rendered.values))
            .rgbImage().pixels

        var out = [UInt8](repeating: 0, count: photo.pixels.count)
        photo.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                #expect(throws: Never.self) {
                    try model.render(height: height, width: width, context: context, map: .argmax, method: method, threads: 2,
                                     io: .srgb8(from: src.baseAddress!, into: dst.baseAddress!, width: width))
                }
            }
        }
        var inPlace = photo.pixels
        inPlace.withUnsafeMutableBufferPointer { p in
            #expect(throws: Never.self) {
                try model.render(height: height, width: width, context: context, map: .argmax, method: method, threads: 2,
                                 io: .srgb8(from: p.baseAddress!, into: p.baseAddress!, width: width))
            }
        }
        #expect(out == inPlace)
        // The byte rows' Lab differs from the planes' by the 4096-point table's interpolation error
        // (< 1e-3 Lab), which can move a value across a rounding boundary: at most one level.
        let worst = zip(out, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
        let moved = zip(out, expected).filter { $0 != $1 }.count
        #expect(worst <= 1 && moved * 100 <= out.count, "\(method): max difference \(worst), \(moved) bytes differ")
        #expect(out != photo.pixels, "the render changed the photo")
    }
}
