/// tanh as Eigen's 13/6 rational approximation (max error a few ulp in float), written branch-free
/// so the loop vectorises: the colour branch evaluates d tanh per pixel, and libm's scalar tanhf
/// would dominate a full-resolution render.
enum FastTanh {
    @inline(__always)
    static func tanh(_ v: Float) -> Float {
        let x = min(max(v, -7.90531110763549805), 7.90531110763549805)
        let x2 = x * x
        var p: Float = -2.76076847742355e-16
        p = p * x2 + 2.00018790482477e-13
        p = p * x2 + -8.60467152213735e-11
        p = p * x2 + 5.12229709037114e-08
        p = p * x2 + 1.48572235717979e-05
        p = p * x2 + 6.37261928875436e-04
        p = p * x2 + 4.89352455891786e-03
        p = p * x
        var q: Float = 1.19825839466702e-06
        q = q * x2 + 1.18534705686654e-04
        q = q * x2 + 2.26843463243900e-03
        q = q * x2 + 4.89352518554385e-03
        // Tiny |x|: p/q rounds to x anyway, and returning x keeps the sign of −0.
        return abs(v) < 0.0004 ? v : p / q
    }

    static func apply(_ p: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { p[i] = tanh(p[i]) }
    }
}
