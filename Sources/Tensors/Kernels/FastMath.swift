/// Branch-free scalar approximations that LLVM vectorises inside kernel loops
/// (libm's `expf`/`erff` are opaque calls that keep a loop scalar).
enum FastMath {
    /// `e^x` with a relative error below 2e-7 on [-87, 88]; 0 below -88, and finite above 88.
    /// Cephes' `expf` reduction and polynomial.
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        let x = Swift.min(Swift.max(x, -88.0), 88.0)
        let n = (x * 1.442_695_04).rounded(.toNearestOrEven)
        let r = x.addingProduct(n, -0.693_359_375).addingProduct(n, 2.121_944_4e-4)
        var p: Float = 1.987_569_15e-4
        p = Float(1.398_199_950_7e-3).addingProduct(p, r)
        p = Float(8.333_451_907_3e-3).addingProduct(p, r)
        p = Float(4.166_579_589_4e-2).addingProduct(p, r)
        p = Float(1.666_666_545_9e-1).addingProduct(p, r)
        p = Float(5.000_000_120_1e-1).addingProduct(p, r)
        p = p * r * r + r + 1
        // 2^n built from its exponent bits without a trapping Float->Int conversion (which would
        // keep the loop scalar): adding 1.5 * 2^23 leaves n in the low mantissa bits.
        let integer = Int32(bitPattern: (n + 12_582_912).bitPattern) &- 0x4B40_0000
        // n = -127 gives the bit pattern 0, i.e. exactly 0.
        let scale = Float(bitPattern: UInt32(bitPattern: (integer &+ 127) &<< 23))
        return p * scale
    }

    /// The error function, relative error below 5e-7: an odd/even rational minimax form on
    /// [-4, 4] (outside, erf is ±1 in single precision), as in Eigen's vectorised `erf`.
    /// One division and twelve fused multiply-adds, no branches.
    @inline(__always)
    static func erf(_ x: Float) -> Float {
        let x = Swift.min(Swift.max(x, -4), 4)
        let z = x * x
        var p: Float = -2.726_142_258_013_06e-10
        p = Float(2.770_681_424_959_02e-08).addingProduct(p, z)
        p = Float(-2.101_024_020_825_08e-06).addingProduct(p, z)
        p = Float(-5.692_506_394_623_46e-05).addingProduct(p, z)
        p = Float(-7.349_906_303_268_55e-04).addingProduct(p, z)
        p = Float(-2.954_599_808_540_25e-03).addingProduct(p, z)
        p = Float(-1.609_603_332_624_15e-02).addingProduct(p, z)
        var q: Float = -1.456_607_184_649_96e-05
        q = Float(-2.133_740_552_789_05e-04).addingProduct(q, z)
        q = Float(-1.682_826_974_382_03e-03).addingProduct(q, z)
        q = Float(-7.373_329_167_204_68e-03).addingProduct(q, z)
        q = Float(-1.426_473_905_141_89e-02).addingProduct(q, z)
        return x * p / q
    }
}
