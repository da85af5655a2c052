/// A validated, memory-mapped safetensors file (https://github.com/huggingface/safetensors):
/// 8-byte little-endian header length N, N bytes of JSON header, then the data section.
/// Every entry is checked at open time (dtype, shape, offsets inside the data, byte count equal
/// to shape × element size, no overlap), so reading a tensor later cannot fail on the file's layout.
public struct SafetensorsFile: Sendable {
    /// Headers are a few kB; 100 MB is the reference implementation's cap and stops a hostile length.
    public static let maxHeaderLength = 100_000_000

    public let tensors: [String: SafetensorsTensorInfo]
    public let metadata: [String: String]
    private let file: MappedFile
    private let dataStart: Int

    public init(path: String) throws(SafetensorsError) {
        try self.init(file: MappedFile(path: path))
    }

    public init(bytes: [UInt8]) throws(SafetensorsError) {
        try self.init(file: MappedFile(copying: bytes))
    }

    private init(file: MappedFile) throws(SafetensorsError) {
        self.file = file
        let bytes = file.bytes
        guard bytes.count >= 8 else { throw .fileTooSmall(size: bytes.count) }
        let declared = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard declared <= UInt64(Self.maxHeaderLength), declared <= UInt64(bytes.count - 8) else {
            throw .headerLengthOutOfRange(declared: declared, fileSize: bytes.count)
        }
        let headerLength = Int(declared)
        dataStart = 8 + headerLength
        let header: JSONValue
        do {
            header = try JSONParser.parse(Array(bytes[8..<dataStart]))
        } catch {
            throw .headerNotUTF8JSON(offset: error.offset, reason: error.reason)
        }
        guard case let .object(members) = header else { throw .headerNotObject }
        let dataSize = bytes.count - dataStart
        var tensors: [String: SafetensorsTensorInfo] = [:]
        var metadata: [String: String] = [:]
        for (name, entry) in members {
            if name == "__metadata__" {
                guard case let .object(pairs) = entry else { throw .invalidMetadata(reason: "not an object") }
                for (k, v) in pairs {
                    guard let s = v.stringValue else { throw .invalidMetadata(reason: "value of \(k) is not a string") }
                    metadata[k] = s
                }
                continue
            }
            tensors[name] = try Self.validate(name: name, entry: entry, dataSize: dataSize)
        }
        // Overlap check on sorted ranges: two tensors sharing bytes means a corrupt or crafted file.
        let sorted = tensors.values.filter { !$0.dataRange.isEmpty }.sorted { $0.dataRange.lowerBound < $1.dataRange.lowerBound }
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.dataRange.lowerBound < a.dataRange.upperBound {
            throw .overlappingData(name: b.name, other: a.name)
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    private static func validate(name: String, entry: JSONValue, dataSize: Int) throws(SafetensorsError) -> SafetensorsTensorInfo {
        guard case .object = entry else { throw .invalidEntry(name: name, reason: "not an object") }
        guard let dtypeName = entry["dtype"]?.stringValue else { throw .invalidEntry(name: name, reason: "no dtype string") }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else { throw .unknownDType(name: name, dtype: dtypeName) }
        guard case let .array(dims)? = entry["shape"] else { throw .invalidEntry(name: name, reason: "no shape array") }
        var shape: [Int] = []
        var elements = 1
        for d in dims {
            guard let n = d.exactIntValue else { throw .invalidEntry(name: name, reason: "shape entry is not a non-negative integer") }
            let (product, overflow) = elements.multipliedReportingOverflow(by: n)
            guard !overflow, product <= Int(Int32.max) * 16 else { throw .invalidEntry(name: name, reason: "shape too large") }
            elements = product
            shape.append(n)
        }
        guard case let .array(offsets)? = entry["data_offsets"], offsets.count == 2,
              let begin = offsets[0].exactIntValue, let end = offsets[1].exactIntValue
        else { throw .invalidEntry(name: name, reason: "data_offsets is not [begin, end]") }
        guard begin <= end else { throw .invalidEntry(name: name, reason: "data_offsets begin \(begin) after end \(end)") }
        guard end <= dataSize else { throw .dataOutOfBounds(name: name, end: end, dataSize: dataSize) }
        let expected = elements * dtype.byteSize
        guard end - begin == expected else { throw .byteCountMismatch(name: name, expected: expected, actual: end - begin) }
        return SafetensorsTensorInfo(name: name, dtype: dtype, shape: shape, dataRange: begin..<end)
    }

    public func info(_ name: String) throws(SafetensorsError) -> SafetensorsTensorInfo {
        guard let info = tensors[name] else { throw .missingTensor(name: name) }
        return info
    }

    /// The tensor's elements as Float (fp16/bf16/u8 widened), in file order.
    public func floats(_ name: String) throws(SafetensorsError) -> [Float] {
        let info = try info(name)
        var out = [Float](repeating: 0, count: info.elementCount)
        try out.withUnsafeMutableBufferPointer { (dst) throws(SafetensorsError) in
            try read(info, into: dst)
        }
        return out
    }

    /// The elements, requiring an exact shape.
    public func floats(_ name: String, shape: [Int]) throws(SafetensorsError) -> [Float] {
        let info = try info(name)
        guard info.shape == shape else { throw .shapeMismatch(name: name, expected: shape, actual: info.shape) }
        return try floats(name)
    }

    /// A 2-D weight [rows, cols]; a 1x1 convolution [rows, cols, 1, 1] reads the same.
    public func matrix(_ name: String, rows: Int, cols: Int) throws(SafetensorsError) -> Matrix {
        let info = try info(name)
        guard info.shape == [rows, cols] || info.shape == [rows, cols, 1, 1] else {
            throw .shapeMismatch(name: name, expected: [rows, cols], actual: info.shape)
        }
        var m = Matrix(rows: rows, cols: cols)
        try m.withUnsafeMutableBufferPointer { (dst) throws(SafetensorsError) in try read(info, into: dst) }
        return m
    }

    /// A 3-D tensor [C, H, W] as a CHW Tensor.
    public func tensor(_ name: String) throws(SafetensorsError) -> Tensor {
        let info = try info(name)
        let s = info.shape
        let shape: TensorShape
        switch s.count {
        case 3: shape = TensorShape(channels: s[0], height: s[1], width: s[2])
        case 2: shape = TensorShape(channels: 1, height: s[0], width: s[1])
        case 1: shape = TensorShape(channels: 1, height: 1, width: s[0])
        default: throw .shapeMismatch(name: name, expected: [-1, -1, -1], actual: s)
        }
        var t = Tensor(shape: shape)
        try t.withUnsafeMutableBufferPointer { (dst) throws(SafetensorsError) in try read(info, into: dst) }
        return t
    }

    private func read(_ info: SafetensorsTensorInfo, into dst: UnsafeMutableBufferPointer<Float>) throws(SafetensorsError) {
        precondition(dst.count == info.elementCount)
        guard let base = file.bytes.baseAddress else { return }
        let src = UnsafeRawBufferPointer(start: base + dataStart + info.dataRange.lowerBound, count: info.dataRange.count)
        // The data section has no alignment guarantee (header length is arbitrary), so loads are unaligned.
        switch info.dtype {
        case .f32:
            for i in 0..<dst.count { dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .f16:
            for i in 0..<dst.count {
                dst[i] = Float(Float16(bitPattern: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
            }
        case .bf16:
            for i in 0..<dst.count {
                let h = UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                dst[i] = Float(bitPattern: UInt32(h) << 16)
            }
        case .u8:
            for i in 0..<dst.count { dst[i] = Float(src[i]) }
        default:
            throw .unsupportedDType(name: info.name, dtype: info.dtype)
        }
    }
}
