/// What a head file says about itself in its safetensors metadata (training/export.py, `sa-adjustnet/1`).
public struct ModelDescription: Sendable, Equatable {
    public static let format = "sa-adjustnet/1"

    public enum Mode: String, Sendable { case map, context }

    public let style: String
    public let mode: Mode
    /// Number of presets (channels of the semantic adjustment map); 0 in context mode is not used.
    public let presetCount: Int
    public let presetNames: [String]
    /// Rank d of the bilinear head.
    public let rank: Int
    public let contextChannels: Int
    public let gruHidden: Int
    public let batchNormEpsilon: Float
    /// Long side of the working-resolution copy the trunk sees.
    public let workingLongSide: Int
    /// "argmax" or "soft": the map used when the caller gives none.
    public let defaultMap: String
    public let trunkSHA256: String?
    /// The file name of the shared trunk the head was trained with (metadata `trunk`), to be found in
    /// the head's own folder; nil for a head that embeds its trunk (`trunk: embedded`) or names none.
    public let trunkFile: String?
    public let metadata: [String: String]

    public init(metadata md: [String: String]) throws(ModelError) {
        func req(_ k: String) throws(ModelError) -> String {
            guard let v = md[k] else { throw .missingMetadata(key: k) }
            return v
        }
        func int(_ k: String) throws(ModelError) -> Int {
            let v = try req(k)
            guard let n = Int(v), n > 0 else { throw .invalidMetadata(key: k, value: v) }
            return n
        }
        let f = try req("format")
        guard f == Self.format else { throw .unsupportedFormat(f) }
        style = try req("style")
        let m = try req("mode")
        guard let mode = Mode(rawValue: m) else { throw .invalidMetadata(key: "mode", value: m) }
        self.mode = mode
        presetCount = try int("K")
        rank = try int("d")
        contextChannels = try int("ctx")
        gruHidden = try int("gru_hidden")
        workingLongSide = try int("working_long_side")
        let eps = md["bn_eps"] ?? "1e-5"
        guard let e = Float(eps), e > 0 else { throw .invalidMetadata(key: "bn_eps", value: eps) }
        batchNormEpsilon = e
        let p = try req("presets")
        guard case let .array(items)? = try? JSONParser.parse(p) else { throw .invalidMetadata(key: "presets", value: p) }
        let names = items.compactMap(\.stringValue)
        guard names.count == items.count, mode == .context || names.count == presetCount else {
            throw .invalidMetadata(key: "presets", value: p)
        }
        presetNames = names
        defaultMap = md["map_default"] ?? "argmax"
        guard ["argmax", "soft"].contains(defaultMap) else { throw .invalidMetadata(key: "map_default", value: defaultMap) }
        trunkSHA256 = md["trunk_sha256"]
        switch md["trunk"] {
        case nil, "embedded": trunkFile = nil
        case let name?:
            // A bare file name: a head must not send the loader to another folder.
            guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
                throw .invalidMetadata(key: "trunk", value: name)
            }
            trunkFile = name
        }
        metadata = md
    }
}
