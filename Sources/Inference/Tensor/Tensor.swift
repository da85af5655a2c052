import CEngineKernels

/// A contiguous fp32 feature map in CHW layout with 64-byte aligned storage. A value type:
/// copies share storage until one of them writes (copy-on-write), so passing tensors around costs
/// nothing and a cached context can be handed to concurrent renders safely.
public struct Tensor: Sendable {
    public let shape: TensorShape
    private var storage: AlignedBuffer

    /// A zero-filled tensor.
    public init(shape: TensorShape) {
        self.shape = shape
        storage = AlignedBuffer(count: shape.count)
    }

    /// Contents unspecified: for outputs every element of which is written before it is read.
    init(uninitialized shape: TensorShape) {
        self.shape = shape
        storage = AlignedBuffer(count: shape.count, zeroed: false)
    }

    public init(channels: Int, height: Int, width: Int) {
        self.init(shape: TensorShape(channels: channels, height: height, width: width))
    }

    /// Copies `values` (CHW order). The count must match the shape.
    public init(shape: TensorShape, values: some Collection<Float>) {
        precondition(values.count == shape.count, "\(values.count) values for shape \(shape)")
        self.init(uninitialized: shape)
        let dst = storage.pointer
        // Contiguous collections (the [Float] planes of a photo) copy in one memcpy: called from
        // another module this initialiser is not specialised, and the element loop below costs a
        // witness-table call per value (~0.3 s for a 12 MP photo's 36 M values).
        let copied = values.withContiguousStorageIfAvailable { src -> Bool in
            if let base = src.baseAddress { dst.update(from: base, count: src.count) }
            return true
        } ?? false
        if !copied {
            var i = 0
            for v in values {
                dst[i] = v
                i += 1
            }
        }
    }

    public var channels: Int { shape.channels }
    public var height: Int { shape.height }
    public var width: Int { shape.width }
    public var count: Int { shape.count }

    public func withUnsafeBufferPointer<R, E: Error>(
        _ body: (UnsafeBufferPointer<Float>) throws(E) -> R
    ) throws(E) -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: shape.count))
    }

    public mutating func withUnsafeMutableBufferPointer<R, E: Error>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws(E) -> R
    ) throws(E) -> R {
        if !isKnownUniquelyReferenced(&storage) {
            storage = AlignedBuffer(copying: storage)
        }
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: shape.count))
    }

    /// Element access for tests and cold paths; hot loops use the buffer pointers.
    public subscript(c: Int, y: Int, x: Int) -> Float {
        precondition(c >= 0 && c < channels && y >= 0 && y < height && x >= 0 && x < width)
        return storage.pointer[(c * height + y) * width + x]
    }

    /// Every `stride`-th row and column from the first: (c, y, x) of the result is (c, y·s, x·s).
    func sampled(stride s: Int) -> Tensor {
        precondition(s >= 1)
        let (h, w) = ((height - 1) / s + 1, (width - 1) / s + 1)
        var out = Tensor(uninitialized: TensorShape(channels: channels, height: h, width: w))
        withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for c in 0..<channels {
                    for y in 0..<h {
                        let from = src.baseAddress! + (c * height + y * s) * width
                        let to = dst.baseAddress! + (c * h + y) * w
                        for x in 0..<w { to[x] = from[x * s] }
                    }
                }
            }
        }
        return out
    }

    /// Each channel plane transposed: element (c, y, x) moves to (c, x, y).
    func spatiallyTransposed() -> Tensor {
        var out = Tensor(uninitialized: TensorShape(channels: channels, height: width, width: height))
        withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                sa_transpose_planes(src.baseAddress!, Int32(channels), Int32(height), Int32(width), dst.baseAddress!)
            }
        }
        return out
    }

    /// The values in CHW order (for tests and serialisation).
    public var values: [Float] { withUnsafeBufferPointer { Array($0) } }
}

extension Optional where Wrapped == Tensor {
    /// The tensor's first element, or nil for no tensor (an optional residual handed to a C kernel).
    func withUnsafeBaseAddress(_ body: (UnsafePointer<Float>?) -> Void) {
        if let tensor = self { tensor.withUnsafeBufferPointer { body($0.baseAddress!) } } else { body(nil) }
    }
}
