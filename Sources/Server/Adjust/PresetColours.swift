/// Display colours for presets in map previews and legends: distinct, colour-blind-safe hues
/// (Okabe–Ito), repeated beyond eight.
enum PresetColours {
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

    static func hex(count: Int) -> [String] {
        (0..<count).map { palette[$0 % palette.count] }
    }
}
