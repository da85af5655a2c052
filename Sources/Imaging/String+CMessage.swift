extension String {
    /// Text a C shim wrote into a caller-provided, NUL-terminated buffer;
    /// stops at the buffer's end if the terminator is missing.
    init(cMessage buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
