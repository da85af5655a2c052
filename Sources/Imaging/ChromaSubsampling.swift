/// JPEG chroma resolution. 4:2:0 is a third smaller at the same quality and
/// what cameras write; 4:4:4 keeps thin coloured edges (maps, text) crisp.
public enum ChromaSubsampling: Sendable, Equatable {
    case yuv420
    case yuv444
}
