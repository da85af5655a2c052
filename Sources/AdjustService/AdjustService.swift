import Inference

// The adjustment pipeline (decode → working resolution → inference → render → encode) lands here;
// see issue "Adjustment service and public HTTP API". It knows nothing of HTTP.
public enum AdjustService {
    public static let version = "0.1.0"
}
