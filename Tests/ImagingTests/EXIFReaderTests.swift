import Imaging
import Testing

/// Orientation parsing from hand-built TIFF headers (first principles).
@Suite struct EXIFReaderTests {
    private func tiff(bigEndian: Bool, entries: [(tag: UInt16, type: UInt16, count: UInt32, value: UInt16)],
                      ifdOffset: UInt32 = 8) -> [UInt8] {
        func u16(_ v: UInt16) -> [UInt8] { bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: UInt32) -> [UInt8] {
            bigEndian ? u16(UInt16(v >> 16)) + u16(UInt16(v & 0xFFFF)) : u16(UInt16(v & 0xFFFF)) + u16(UInt16(v >> 16))
        }
        var out: [UInt8] = bigEndian ? [0x4D, 0x4D] : [0x49, 0x49]
        out += u16(42) + u32(ifdOffset) + u16(UInt16(entries.count))
        for e in entries { out += u16(e.tag) + u16(e.type) + u32(e.count) + u16(e.value) + [0, 0] }
        return out + [0, 0, 0, 0]
    }

    @Test(arguments: 1...8)
    func readsEveryOrientationInBothByteOrders(_ value: Int) {
        for big in [false, true] {
            let data = tiff(bigEndian: big, entries: [(0x010F, 2, 4, 0), (0x0112, 3, 1, UInt16(value))])
            #expect(EXIFReader.orientation(tiff: data)?.rawValue == value)
        }
    }

    @Test func malformedDataYieldsNil() {
        let good = tiff(bigEndian: false, entries: [(0x0112, 3, 1, 6)])
        #expect(EXIFReader.orientation(tiff: good) == .right)
        #expect(EXIFReader.orientation(tiff: []) == nil)
        #expect(EXIFReader.orientation(tiff: Array(good.prefix(15))) == nil)  // entry cut short
        #expect(EXIFReader.orientation(tiff: tiff(bigEndian: false, entries: [(0x0112, 3, 1, 9)])) == nil)
        #expect(EXIFReader.orientation(tiff: tiff(bigEndian: false, entries: [(0x0112, 4, 1, 6)])) == nil)
        #expect(EXIFReader.orientation(tiff: tiff(bigEndian: true, entries: [(0x0112, 3, 1, 6)], ifdOffset: 0xFFFF_FFF0)) == nil)
        var badMagic = good
        badMagic[2] = 43
        #expect(EXIFReader.orientation(tiff: badMagic) == nil)
    }
}
