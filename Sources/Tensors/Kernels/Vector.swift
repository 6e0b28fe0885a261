/// Eight-lane vector helpers for the kernels' reductions. LLVM vectorises plain elementwise loops
/// by itself, but not floating-point sums (that would reorder additions), so row sums, maxima and
/// dot products are written with explicit `SIMD8<Float>` accumulators.
typealias Float8 = SIMD8<Float>

extension UnsafePointer where Pointee == Float {
    @inline(__always) func load8(_ offset: Int) -> Float8 { UnsafeRawPointer(self + offset).loadUnaligned(as: Float8.self) }
}

extension UnsafeMutablePointer where Pointee == Float {
    @inline(__always) func load8(_ offset: Int) -> Float8 { UnsafeRawPointer(self + offset).loadUnaligned(as: Float8.self) }
    @inline(__always) func store8(_ v: Float8, _ offset: Int) { UnsafeMutableRawPointer(self + offset).storeBytes(of: v, as: Float8.self) }
}

enum Vector {
    // The standard library's `pointwiseMax`, `sum()` and `max()` on SIMD types compile to lane
    // loops here; comparisons with `replacing(with:where:)` become `vmaxps`, and halving
    // reductions stay in vector registers.

    /// Lane-wise maximum (`vmaxps`).
    @inline(__always)
    static func maximum(_ a: Float8, _ b: Float8) -> Float8 { a.replacing(with: b, where: b .> a) }

    /// Lane-wise minimum (`vminps`).
    @inline(__always)
    static func minimum(_ a: Float8, _ b: Float8) -> Float8 { a.replacing(with: b, where: b .< a) }

    /// The sum of the eight lanes.
    @inline(__always)
    static func horizontalSum(_ v: Float8) -> Float {
        let h = v.lowHalf + v.highHalf
        let q = h.lowHalf + h.highHalf
        return q.x + q.y
    }

    /// The largest of the eight lanes.
    @inline(__always)
    static func horizontalMax(_ v: Float8) -> Float {
        let h = v.lowHalf.replacing(with: v.highHalf, where: v.highHalf .> v.lowHalf)
        let q = h.lowHalf.replacing(with: h.highHalf, where: h.highHalf .> h.lowHalf)
        return q.x > q.y ? q.x : q.y
    }

    /// `Σ x[j]`.
    @inline(__always)
    static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = Float8(), j = 0
        while j + 8 <= n { acc += x.load8(j); j += 8 }
        var s = horizontalSum(acc)
        while j < n { s += x[j]; j += 1 }
        return s
    }

    /// `Σ a[j] b[j]`.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = Float8(), j = 0
        while j + 8 <= n { acc += a.load8(j) * b.load8(j); j += 8 }
        var s = horizontalSum(acc)
        while j < n { s += a[j] * b[j]; j += 1 }
        return s
    }

    /// `max_j x[j]` (`-inf` for an empty row).
    @inline(__always)
    static func max(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = Float8(repeating: -.infinity), j = 0
        while j + 8 <= n { acc = maximum(acc, x.load8(j)); j += 8 }
        var m = horizontalMax(acc)
        while j < n { m = Swift.max(m, x[j]); j += 1 }
        return m
    }

    /// `Σ exp(x[j] - shift)`.
    @inline(__always)
    static func sumExp(_ x: UnsafePointer<Float>, shift: Float, _ n: Int) -> Float {
        var acc = Float8(), j = 0
        let sv = Float8(repeating: shift)
        while j + 8 <= n { acc += FastMath.exp8(x.load8(j) - sv); j += 8 }
        var s = horizontalSum(acc)
        while j < n { s += FastMath.exp(x[j] - shift); j += 1 }
        return s
    }
}

extension FastMath {
    /// `FastMath.exp` on eight lanes. Plain multiplies and adds: `SIMD.addingProduct` is a lane
    /// loop that the optimiser only partly vectorises.
    @inline(__always)
    static func exp8(_ x: Float8) -> Float8 {
        let x = Vector.minimum(Vector.maximum(x, Float8(repeating: -88)), Float8(repeating: 88))
        let n = (x * 1.442_695_04).rounded(.toNearestOrEven)
        let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p = Float8(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        p = p * r * r + r + 1
        let integer = unsafeBitCast(n + 12_582_912, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let scale = unsafeBitCast((integer &+ 127) &<< 23, to: Float8.self)
        return p * scale
    }
}
