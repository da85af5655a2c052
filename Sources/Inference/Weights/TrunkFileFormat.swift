/// The metadata `format` of a shared trunk file (training/export_trunk.py; the one shipped in models/),
/// which tells it apart from the style heads that lie in the same folder.
public enum TrunkFileFormat {
    public static let name = "resnet50-trunk/1"

    public static func matches(_ file: SafetensorsFile) -> Bool {
        file.metadata["format"] == name
    }
}
