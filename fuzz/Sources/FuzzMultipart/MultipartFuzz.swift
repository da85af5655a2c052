import HTTPCore

/// The multipart/form-data parser, Content-Type included. Input layout: one byte choosing the
/// piece size, then the Content-Type value up to the first LF, then the body. The parser promises
/// that its outcome never depends on how the body is split into chunks, so the events (part heads,
/// each part's bytes, part ends) and the final error must be identical fed whole and fed in pieces.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultipart(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let step = Int(bytes[0]) + 1
    let rest = bytes[1...]
    guard let lf = rest.firstIndex(of: 0x0A) else { return 0 }
    let contentType = String(decoding: rest[..<lf], as: UTF8.self)
    let body = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[(lf + 1)...]))
    // Small limits so that every limit branch is reachable with short inputs.
    let limits = MultipartLimits(maxParts: 8, maxPartHeaderBytes: 256, maxPartBytes: 4096, maxTotalBytes: 16384)

    let whole = parse(contentType: contentType, body: body, limits: limits, step: body.count)
    let pieces = parse(contentType: contentType, body: body, limits: limits, step: step)
    guard whole == pieces else {
        fatalError("outcome depends on the split (\(step)-byte pieces):\n\(whole)\nvs\n\(pieces)")
    }
    if case .parsed(let events, _) = whole {
        var parts = 0
        for case .begin in events { parts += 1 }
        precondition(parts <= limits.maxParts, "\(parts) parts past the limit of \(limits.maxParts)")
    }
    return 0
}

enum Event: Equatable {
    case begin(MultipartPartHead)
    case data([UInt8])
    case end
}

enum Outcome: Equatable {
    case badContentType(MultipartError)
    case parsed([Event], MultipartError?)
}

func parse(contentType: String, body: UnsafeRawBufferPointer, limits: MultipartLimits, step: Int) -> Outcome {
    var parser: MultipartParser
    do throws(MultipartError) {
        parser = try MultipartParser(contentType: contentType, limits: limits)
    } catch {
        return .badContentType(error)
    }
    var events: [Event] = []
    var open = false
    // Consecutive data events are merged: how the bytes of one part are handed out may follow the split.
    let handler: (MultipartEvent) throws(MultipartError) -> Void = { event in
        switch event {
        case .partBegin(let head):
            precondition(!open, "partBegin inside a part")
            open = true
            events.append(.begin(head))
        case .partData(let chunk):
            precondition(open && !chunk.isEmpty, "partData outside a part or empty")
            if case .data(let previous) = events.last {
                events[events.count - 1] = .data(previous + Array(chunk))
            } else {
                events.append(.data(Array(chunk)))
            }
        case .partEnd:
            precondition(open, "partEnd outside a part")
            open = false
            events.append(.end)
        }
    }
    do throws(MultipartError) {
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + max(step, 1))
            try parser.feed(UnsafeRawBufferPointer(rebasing: body[offset..<end]), into: handler)
            offset = end
        }
        try parser.finish()
        precondition(!open, "finished inside a part")
        return .parsed(events, nil)
    } catch {
        return .parsed(events, error)
    }
}
