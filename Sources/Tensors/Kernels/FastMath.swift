/// Branch-free scalar approximations that LLVM vectorises inside kernel loops
/// (libm's `expf`/`erff` are opaque calls that keep a loop scalar).
enum FastMath {
    /// `e^x` with a relative error below 2e-7 on [-87, 88]; 0 below -88, and finite above 88.
    /// Cephes' `expf` reduction and polynomial.
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        let x = Swift.min(Swift.max(x, -88.0), 88.0)
        let n = (x * 1.442_695_04).rounded(.toNearestOrEven)
        let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p: Float = 1.987_569_15e-4
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        p = p * r * r + r + 1
        // 2^n built from its exponent bits; n = -127 gives the bit pattern 0, i.e. exactly 0.
        let scale = Float(bitPattern: UInt32(truncatingIfNeeded: Int32(n) + 127) << 23)
        return p * scale
    }

    /// The error function, absolute error below 2e-7: the Taylor series on |x| < 0.5 (relative
    /// accuracy near 0), Abramowitz & Stegun 7.1.26 elsewhere.
    @inline(__always)
    static func erf(_ x: Float) -> Float {
        let z = x * x
        var s: Float = 1.205_533_3e-4
        s = s * z - 8.548_327_0e-4
        s = s * z + 5.223_977_6e-3
        s = s * z - 2.686_617_1e-2
        s = s * z + 1.128_379_17e-1
        s = s * z - 3.761_263_9e-1
        s = s * z + 1.128_379_17
        let small = x * s
        let a = Swift.abs(x)
        let t = 1 / (1 + 0.327_591_1 * a)
        var q: Float = 1.061_405_429
        q = q * t - 1.453_152_027
        q = q * t + 1.421_413_741
        q = q * t - 0.284_496_736
        q = q * t + 0.254_829_592
        let large = 1 - q * t * exp(-z)
        let signed = x < 0 ? -large : large
        return a < 0.5 ? small : signed
    }
}
