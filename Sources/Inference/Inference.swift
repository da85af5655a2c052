// The inference engine (SA-AdjustNet on OpenBLAS) lands here; see issue "Inference engine".
// This target exists now so that the package's layering is fixed from the first commit:
// Inference depends on nothing but BLAS and knows nothing of HTTP or file formats.
public enum Inference {
    public static let engineVersion = "0.0.0"
}
