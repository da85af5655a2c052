/// A connection's receive buffer: one allocation reused for the connection's life, read into
/// directly by `recv`, consumed from the front and compacted only when space runs out.
/// Confined to the connection's queue.
final class InboundBuffer {
    private var storage: UnsafeMutableRawBufferPointer
    private var readerIndex = 0
    private var writerIndex = 0
    private let maxCapacity: Int

    init(initialCapacity: Int, maxCapacity: Int) {
        storage = .allocate(byteCount: initialCapacity, alignment: 16)
        self.maxCapacity = max(initialCapacity, maxCapacity)
    }

    deinit { storage.deallocate() }

    var readableCount: Int { writerIndex - readerIndex }

    var readable: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: storage[readerIndex..<writerIndex])
    }

    /// Space to read into: at least `minimum` bytes when the capacity limit allows, else whatever
    /// is left (possibly empty, which tells the caller to stop reading).
    func writableSpace(minimum: Int) -> UnsafeMutableRawBufferPointer {
        if storage.count - writerIndex < minimum {
            compact()
            if storage.count - writerIndex < minimum && storage.count < maxCapacity {
                let grown = UnsafeMutableRawBufferPointer.allocate(
                    byteCount: min(maxCapacity, max(storage.count * 2, writerIndex + minimum)), alignment: 16)
                grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[0..<writerIndex]))
                storage.deallocate()
                storage = grown
            }
        }
        return UnsafeMutableRawBufferPointer(rebasing: storage[writerIndex...])
    }

    func commit(_ count: Int) { writerIndex += count }

    func consume(_ count: Int) {
        readerIndex += count
        if readerIndex == writerIndex {
            readerIndex = 0
            writerIndex = 0
        }
    }

    func clear() {
        readerIndex = 0
        writerIndex = 0
    }

    private func compact() {
        guard readerIndex > 0 else { return }
        let count = readableCount
        if count > 0 {
            storage.baseAddress!.copyMemory(from: storage.baseAddress! + readerIndex, byteCount: count)
        }
        readerIndex = 0
        writerIndex = count
    }
}
