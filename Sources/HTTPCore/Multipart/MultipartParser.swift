#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An incremental multipart/form-data parser (RFC 7578 over the RFC 2046 framing).
///
/// Feed the body in chunks of any size, split anywhere; the parser reports each part through
/// `MultipartEvent`s and hands part data out as views into the chunk just fed, so a 50 MB upload
/// is never copied here. What it keeps between feeds is bounded: at most `delimiter.count - 1`
/// bytes (boundary + 3) that might be the start of a delimiter, and the header line being read
/// (at most `limits.maxPartHeaderBytes`). Every limit is checked as bytes arrive.
///
/// Grammar accepted (RFC 2046 §5.1.1):
///
///     body       = [preamble CRLF] "--" boundary padding CRLF part *(CRLF "--" boundary padding CRLF part)
///                  CRLF "--" boundary "--" [epilogue]
///     part       = *(header-line CRLF) CRLF body-octets     ; or no head line at all (see below)
///     padding    = *(SP / HTAB)                             ; "transport padding"
///
/// Preamble and epilogue are skipped without being stored. Header lines must end in CRLF: a
/// lone LF is refused rather than tolerated, because a receiver that accepts LF and one that
/// does not see different header sections in the same bytes (the multipart cousin of request
/// smuggling), and every browser and HTTP library sends CRLF.
///
/// After an error, and after `finish()` has found the body incomplete, the parser stays failed:
/// every later call throws the same error.
public struct MultipartParser: Sendable {
    private enum State: Sendable {
        /// Looking for the first delimiter; everything before it is preamble and is dropped.
        case preamble
        /// Just after `--boundary`: expecting `--`, transport padding or CR.
        case delimiterEnd
        /// Seen the first `-` of a close delimiter.
        case closeDash
        /// In the transport padding after a delimiter.
        case transportPadding
        /// Seen the CR that ends a delimiter line.
        case delimiterLF
        /// Reading a part's header lines.
        case head
        /// Reading a part's body, looking for the next delimiter.
        case body
        /// After the close delimiter: everything is epilogue and is dropped.
        case epilogue
        case failed(MultipartError)
    }

    public let boundary: MultipartBoundary
    public let limits: MultipartLimits
    /// Whether each part must carry `Content-Disposition: form-data; name=...` (RFC 7578 §4.2).
    public let validatesFormData: Bool

    /// `CRLF "--" boundary`. Contains exactly one CR, at index 0, because a boundary cannot
    /// contain CR: that is what makes both the search and the hold-back below simple.
    private let delimiter: [UInt8]
    private var state: State = .preamble
    /// A proper prefix of `delimiter` seen at the end of the previous chunk, not yet known to be
    /// a delimiter or data. Starts as a virtual CRLF so that a body opening with `--boundary`
    /// (no preamble) matches the same pattern as every later delimiter.
    private var held: [UInt8]
    /// How many leading bytes of `held` are a CRLF the parser made up (before the first
    /// delimiter, or standing in for the blank line of a head-less part): 0 or 2. Those bytes are
    /// never data; any real bytes appended after them are.
    private var virtualHeldCount = 2
    /// The header line being read, LF included once seen.
    private var line: [UInt8] = []
    private var fields: [(name: String, value: String)] = []
    private var headBytes = 0
    private var partBytes = 0
    private var currentName: String?
    /// Parts begun so far; the current part's number (parts count from 1).
    public private(set) var partCount = 0
    /// Bytes fed so far.
    public private(set) var totalBytes = 0

    /// - Parameter validatesFormData: require a form-data Content-Disposition with a name in
    ///   every part (true, the default, for multipart/form-data); false accepts parts without
    ///   one, e.g. head-less parts, with a nil `name`.
    public init(boundary: MultipartBoundary, limits: MultipartLimits = MultipartLimits(), validatesFormData: Bool = true) {
        self.boundary = boundary
        self.limits = limits
        self.validatesFormData = validatesFormData
        delimiter = boundary.delimiter
        held = Array("\r\n".utf8)
        held.reserveCapacity(delimiter.count)
    }

    /// A parser for `boundary`, validated first.
    public init(boundary: String, limits: MultipartLimits = MultipartLimits(), validatesFormData: Bool = true) throws(MultipartError) {
        self.init(boundary: try MultipartBoundary(boundary), limits: limits, validatesFormData: validatesFormData)
    }

    /// A parser for the body announced by a Content-Type value (`multipart/form-data; boundary=...`).
    public init(contentType: String, limits: MultipartLimits = MultipartLimits()) throws(MultipartError) {
        self.init(boundary: try MultipartBoundary(contentType: contentType), limits: limits)
    }

    /// Whether the close delimiter has been seen (anything fed after it is ignored epilogue).
    public var isComplete: Bool {
        if case .epilogue = state { return true }
        return false
    }

    /// Parses the next chunk of the body, calling `handler` for each event it completes. A
    /// handler error stops parsing and is rethrown (and the parser stays failed).
    public mutating func feed(_ bytes: [UInt8], into handler: (MultipartEvent) throws(MultipartError) -> Void) throws(MultipartError) {
        try bytes.withUnsafeBufferPointer { (buffer) throws(MultipartError) in
            try feed(UnsafeRawBufferPointer(buffer), into: handler)
        }
    }

    /// Parses the next chunk of the body. `partData` events point into `input` where possible.
    public mutating func feed(_ input: UnsafeRawBufferPointer, into handler: (MultipartEvent) throws(MultipartError) -> Void) throws(MultipartError) {
        if case .failed(let error) = state { throw error }
        do throws(MultipartError) {
            if let maxTotal = limits.maxTotalBytes, input.count > maxTotal - totalBytes {
                // Parse up to the limit first, so that an error earlier in the body wins no
                // matter how the body was split into chunks: outcomes never depend on chunking.
                let allowed = max(0, maxTotal - totalBytes)
                totalBytes = maxTotal
                try consume(UnsafeRawBufferPointer(rebasing: input[..<allowed]), handler)
                throw .bodyTooLarge(limit: maxTotal)
            }
            totalBytes += input.count
            try consume(input, handler)
        } catch {
            state = .failed(error)
            throw error
        }
    }

    /// Declares the end of the body: throws unless the close delimiter was seen.
    public mutating func finish() throws(MultipartError) {
        switch state {
        case .epilogue:
            return
        case .failed(let error):
            throw error
        case .preamble:
            state = .failed(.boundaryNotFound(boundary: boundary.value))
            throw .boundaryNotFound(boundary: boundary.value)
        default:
            state = .failed(.truncated)
            throw .truncated
        }
    }

    // MARK: States

    private mutating func consume(_ input: UnsafeRawBufferPointer, _ handler: (MultipartEvent) throws(MultipartError) -> Void) throws(MultipartError) {
        guard let base = input.baseAddress else { return }
        var index = 0
        while index < input.count {
            switch state {
            case .preamble, .body:
                if held.isEmpty {
                    index = try scan(input, base: base, from: index, handler)
                } else {
                    index = try resumeHeld(input, at: index, handler)
                }
            case .head:
                index = try consumeHead(input, base: base, from: index, handler)
            case .delimiterEnd, .closeDash, .transportPadding, .delimiterLF:
                try consumeDelimiterEnd(input[index])
                index += 1
            case .epilogue, .failed:
                return
            }
        }
    }

    /// Searches `input[start...]` for a delimiter, emitting what precedes it as data (in a body)
    /// and holding back a trailing prefix of it. Returns where parsing continues.
    ///
    /// A delimiter can only start at a CR, so memchr (vectorised in libc) skips everything else;
    /// on random binary data that is one candidate per ~256 bytes, each rejected after a byte
    /// or two. Data is emitted as one run per chunk or per delimiter, not per candidate.
    private mutating func scan(
        _ input: UnsafeRawBufferPointer,
        base: UnsafeRawPointer,
        from start: Int,
        _ handler: (MultipartEvent) throws(MultipartError) -> Void
    ) throws(MultipartError) -> Int {
        let count = input.count
        var searchFrom = start
        while searchFrom < count, let found = memchr(base + searchFrom, 0x0D, count - searchFrom) {
            var candidate = base.distance(to: UnsafeRawPointer(found))
            // A CR followed by anything but LF cannot start a delimiter. Rejecting such candidates
            // here, and stepping through runs of CR inline rather than with a libc call per
            // byte, keeps CR-heavy data fast (a 50 MB run of CR: ~1 GB/s instead of ~150 MB/s).
            while candidate + 1 < count && input[candidate + 1] == 0x0D { candidate += 1 }
            if candidate + 1 < count && input[candidate + 1] != 0x0A {
                searchFrom = candidate + 2
                continue
            }
            let length = min(count - candidate, delimiter.count)
            if matchesDelimiter(input, at: candidate, length: length) {
                try emit(input, start..<candidate, handler)
                if length == delimiter.count {
                    try delimiterFound(handler)
                    return candidate + length
                }
                // The chunk ends inside what may be a delimiter: keep those few bytes.
                held.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[candidate...]))
                return count
            }
            searchFrom = candidate + 1
        }
        try emit(input, start..<count, handler)
        return count
    }

    /// Continues a delimiter prefix held back from the previous chunk.
    private mutating func resumeHeld(
        _ input: UnsafeRawBufferPointer,
        at index: Int,
        _ handler: (MultipartEvent) throws(MultipartError) -> Void
    ) throws(MultipartError) -> Int {
        let matched = held.count
        let wanted = delimiter.count - matched
        let available = min(wanted, input.count - index)
        var matches = true
        for offset in 0..<available where input[index + offset] != delimiter[matched + offset] {
            matches = false
            break
        }
        if matches {
            if available == wanted {
                held.removeAll(keepingCapacity: true)
                virtualHeldCount = 0
                try delimiterFound(handler)
                return index + available
            }
            held.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[index...]))
            return input.count
        }
        // Not a delimiter. The held bytes are a prefix of `delimiter`, whose only CR is its first
        // byte, so no other delimiter can begin inside them: they are plain data, and the search
        // goes on in the new chunk from where it stands.
        if case .body = state, held.count > virtualHeldCount {
            try emitHeld(from: virtualHeldCount, handler)
        }
        held.removeAll(keepingCapacity: true)
        virtualHeldCount = 0
        return index
    }

    private mutating func delimiterFound(_ handler: (MultipartEvent) throws(MultipartError) -> Void) throws(MultipartError) {
        if case .body = state { try handler(.partEnd) }
        state = .delimiterEnd
    }

    /// What may follow `--boundary`: `--` (close delimiter), or transport padding and CRLF.
    /// Anything else means the boundary occurs inside the body, which RFC 2046 forbids, or the
    /// body was built with a different boundary; either way it cannot be parsed unambiguously.
    private mutating func consumeDelimiterEnd(_ byte: UInt8) throws(MultipartError) {
        switch (state, byte) {
        case (.delimiterEnd, UInt8(ascii: "-")):
            state = .closeDash
        case (.closeDash, UInt8(ascii: "-")):
            state = .epilogue
        case (.delimiterEnd, 0x20), (.delimiterEnd, 0x09), (.transportPadding, 0x20), (.transportPadding, 0x09):
            state = .transportPadding
        case (.delimiterEnd, 0x0D), (.transportPadding, 0x0D):
            state = .delimiterLF
        case (.delimiterLF, 0x0A):
            partCount += 1
            guard partCount <= limits.maxParts else { throw .tooManyParts(limit: limits.maxParts) }
            state = .head
            headBytes = 0
            line.removeAll(keepingCapacity: true)
            fields.removeAll(keepingCapacity: true)
        default:
            throw .malformedDelimiter(part: partCount + 1, byte: byte)
        }
    }

    /// Reads header bytes up to and including the next LF (found with memchr), within the head limit.
    private mutating func consumeHead(
        _ input: UnsafeRawBufferPointer,
        base: UnsafeRawPointer,
        from index: Int,
        _ handler: (MultipartEvent) throws(MultipartError) -> Void
    ) throws(MultipartError) -> Int {
        let lineFeed = memchr(base + index, 0x0A, input.count - index)
        let end = lineFeed.map { base.distance(to: UnsafeRawPointer($0)) + 1 } ?? input.count
        headBytes += end - index
        guard headBytes <= limits.maxPartHeaderBytes else {
            throw .partHeadTooLarge(part: partCount, limit: limits.maxPartHeaderBytes)
        }
        line.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[index..<end]))
        if lineFeed != nil { try completeHeadLine(handler) }
        return end
    }

    private mutating func completeHeadLine(_ handler: (MultipartEvent) throws(MultipartError) -> Void) throws(MultipartError) {
        let part = partCount
        let lineNumber = fields.count + 1
        guard line.count >= 2, line[line.count - 2] == 0x0D else { throw .bareLineFeed(part: part, line: lineNumber) }
        let contentCount = line.count - 2
        guard contentCount == 0 else {
            let field = try line.withUnsafeBufferPointer { (buffer) throws(MultipartError) in
                let content = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[..<contentCount])
                if content.contains(0x0D) { throw .bareCarriageReturn(part: part, line: lineNumber) }
                return try MultipartPartHead.parseField(content, part: part, line: lineNumber)
            }
            fields.append(field)
            line.removeAll(keepingCapacity: true)
            return
        }
        // The blank line: the head is complete.
        let head = try MultipartPartHead(fields: fields, part: part, formData: validatesFormData)
        line.removeAll(keepingCapacity: true)
        fields.removeAll(keepingCapacity: true)
        currentName = head.name
        partBytes = 0
        state = .body
        if head.headers.isEmpty {
            // A part with no header lines is ambiguous: in `--b CRLF CRLF --b`, RFC 2046 reads
            // the second CRLF as the start of the next delimiter (an empty part with no blank
            // line), while `--b CRLF CRLF CRLF --b` has a blank line and an empty body. Letting
            // the CRLF just read also count as a virtual delimiter start accepts both.
            held.append(contentsOf: [0x0D, 0x0A])
            virtualHeldCount = 2
        }
        try handler(.partBegin(head))
    }

    // MARK: Data

    private func matchesDelimiter(_ input: UnsafeRawBufferPointer, at start: Int, length: Int) -> Bool {
        // Index 0 is the CR memchr found.
        var offset = 1
        while offset < length {
            guard input[start + offset] == delimiter[offset] else { return false }
            offset += 1
        }
        return true
    }

    private mutating func emit(
        _ input: UnsafeRawBufferPointer,
        _ range: Range<Int>,
        _ handler: (MultipartEvent) throws(MultipartError) -> Void
    ) throws(MultipartError) {
        guard case .body = state, !range.isEmpty else { return }
        try countPartBytes(range.count)
        try handler(.partData(UnsafeRawBufferPointer(rebasing: input[range])))
    }

    private mutating func emitHeld(from start: Int, _ handler: (MultipartEvent) throws(MultipartError) -> Void) throws(MultipartError) {
        try countPartBytes(held.count - start)
        try held.withUnsafeBufferPointer { (buffer) throws(MultipartError) in
            try handler(.partData(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[start...])))
        }
    }

    private mutating func countPartBytes(_ count: Int) throws(MultipartError) {
        partBytes += count
        guard partBytes <= limits.maxPartBytes else {
            throw .partTooLarge(part: partCount, name: currentName, limit: limits.maxPartBytes)
        }
    }
}
