import CKernels
import Foundation

/// Plain kernels over raw buffers. Each differentiable kernel has a forward and a backward; the
/// backward takes what the forward saved (or recomputes it) and the output gradient `dy`, and
/// writes the input gradient `dx`. Autograd (`Ops/`) only wires them together.
public enum Kernels {}

// MARK: - Pointwise arithmetic

extension Kernels {
    /// `dst += src`.
    public static func addInPlace(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
        Parallel.forRange(n) { r in for i in r { dst[i] += src[i] } }
    }

    /// `y[r, j] += row[j]` for each of `rows` rows of `n` (a bias added to a product in place).
    public static func addRowInPlace(_ y: UnsafeMutablePointer<Float>, _ row: UnsafePointer<Float>, rows: Int, n: Int) {
        Parallel.forRange(rows, costPerItem: n) { r in
            for i in r {
                let out = y + i &* n
                for j in 0..<n { out[j] += row[j] }
            }
        }
    }

    /// `y[r, j] = x[r, j] + row[j]` for each of `rows` rows of `n` (`row` `nil`: a copy): a
    /// residual and a bias, in the output a product then accumulates into.
    public static func addRow(_ x: UnsafePointer<Float>, _ row: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>, rows: Int, n: Int) {
        Parallel.forRange(rows, costPerItem: n) { r in
            for i in r {
                let (source, out) = (x + i &* n, y + i &* n)
                if let row { for j in 0..<n { out[j] = source[j] + row[j] } } else { out.update(from: source, count: n) }
            }
        }
    }

    /// `y = f(y + bias)` per row of `n`, in place: a linear layer's bias (`n` values, or none) and
    /// output activation, each row finished while it is in cache. One plain loop per activation
    /// (no closure per element), so that each vectorises.
    ///
    /// With `bfloat16`, also writes each result row's bfloat16 bit patterns there (as
    /// ``convertToBFloat16(_:_:_:)``) while the row is in cache: the next product's operand.
    public static func addRowAndActivateInPlace(_ y: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>?, rows: Int, n: Int,
                                                _ f: Activation, bfloat16: UnsafeMutablePointer<UInt16>? = nil) {
        Parallel.forRange(rows, costPerItem: 4 * n) { r in
            for i in r {
                let out = y + i &* n
                if let bias { for j in 0..<n { out[j] += bias[j] } }
                switch f {
                case .gelu: for j in 0..<n { out[j] = gelu(out[j]) }
                case .relu: for j in 0..<n { out[j] = Swift.max(out[j], 0) }
                case .quickGelu: for j in 0..<n { out[j] = quickGelu(out[j]) }
                }
                if let bfloat16 { ck_convert_to_bf16(out, bfloat16 + i &* n, 0, Int64(n)) }
            }
        }
    }

    /// `y = x` (the memory-bandwidth baseline of `contrast bench ops`).
    public static func copy(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        Parallel.forRange(n) { r in (y + r.lowerBound).update(from: x + r.lowerBound, count: r.count) }
    }

    /// `y = x` rounded to the nearest bfloat16 (ties to even), kept in `Float`: bf16 matrix
    /// operands where the CPU has no bf16 instructions. NaN stays NaN.
    public static func roundToBFloat16(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        Parallel.forRange(n) { r in ck_round_to_bf16(x, y, Int64(r.lowerBound), Int64(r.upperBound)) }
    }

    /// `y = x` rounded to the nearest bfloat16 (ties to even) as bfloat16 bit patterns: the
    /// operands of oneDNN's bf16 kernels. The same rounding as ``roundToBFloat16(_:_:_:)``.
    public static func convertToBFloat16(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<UInt16>, _ n: Int) {
        Parallel.forRange(n) { r in ck_convert_to_bf16(x, y, Int64(r.lowerBound), Int64(r.upperBound)) }
    }

    /// The four arithmetic operations on two same-shaped buffers, or with `b` repeating over `a`
    /// (`b` holds the trailing `bCount` elements' pattern: a bias over rows), or the reverse.
    public enum Arithmetic: Sendable { case add, sub, mul, div }

    /// `y[i] = a[i] (op) b[i % bCount]` when `aCount >= bCount`, else `y[i] = a[i % aCount] (op) b[i]`.
    public static func arithmetic(_ op: Arithmetic, _ a: UnsafePointer<Float>, aCount: Int, _ b: UnsafePointer<Float>, bCount: Int, _ y: UnsafeMutablePointer<Float>) {
        switch op {
        case .add: binary(AddFunction.self, a, aCount, b, bCount, y)
        case .sub: binary(SubFunction.self, a, aCount, b, bCount, y)
        case .mul: binary(MulFunction.self, a, aCount, b, bCount, y)
        case .div: binary(DivFunction.self, a, aCount, b, bCount, y)
        }
    }

    // Generic over the operation so that each instance is specialised and its loops vectorised.
    @inline(__always)
    private static func binary<F: BinaryFunction>(_: F.Type, _ a: UnsafePointer<Float>, _ aCount: Int, _ b: UnsafePointer<Float>, _ bCount: Int, _ y: UnsafeMutablePointer<Float>) {
        let n = max(aCount, bCount)
        if aCount == bCount {
            Parallel.forRange(n) { r in for i in r { y[i] = F.apply(a[i], b[i]) } }
        } else if bCount == 1 {
            let s = b[0]
            Parallel.forRange(n) { r in for i in r { y[i] = F.apply(a[i], s) } }
        } else if aCount == 1 {
            let s = a[0]
            Parallel.forRange(n) { r in for i in r { y[i] = F.apply(s, b[i]) } }
        } else if aCount > bCount {
            Parallel.forRange(n / bCount, costPerItem: bCount) { rows in
                for row in rows {
                    let o = row * bCount
                    for j in 0..<bCount { y[o + j] = F.apply(a[o + j], b[j]) }
                }
            }
        } else {
            Parallel.forRange(n / aCount, costPerItem: aCount) { rows in
                for row in rows {
                    let o = row * aCount
                    for j in 0..<aCount { y[o + j] = F.apply(a[j], b[o + j]) }
                }
            }
        }
    }

    /// `y = a * x + b` elementwise with scalar `a`, `b`.
    public static func affine(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, scale a: Float, shift b: Float) {
        Parallel.forRange(n) { r in for i in r { y[i] = a * x[i] + b } }
    }
}

// MARK: - Unary functions with their derivatives

extension Kernels {
    /// A pointwise function and its derivative, expressed through the input `x`, the output `y`,
    /// or both (whichever is cheaper: `exp`'s derivative is its output).
    public enum Unary: Sendable {
        case exp, log, sqrt, tanh, sigmoid, relu, abs
        case pow(Float)
        case clamp(Float, Float)
    }

    /// `y = f(x)`.
    public static func unaryForward(_ f: Unary, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        switch f {
        case .exp: Parallel.forRange(n) { r in for i in r { y[i] = FastMath.exp(x[i]) } }
        case .log: Parallel.forRange(n, costPerItem: 8) { r in for i in r { y[i] = Foundation.log(x[i]) } }
        case .sqrt: Parallel.forRange(n) { r in for i in r { y[i] = x[i].squareRoot() } }
        case .tanh: Parallel.forRange(n, costPerItem: 8) { r in for i in r { y[i] = Foundation.tanh(x[i]) } }
        case .sigmoid: Parallel.forRange(n) { r in for i in r { y[i] = 1 / (1 + FastMath.exp(-x[i])) } }
        case .relu: Parallel.forRange(n) { r in for i in r { y[i] = Swift.max(x[i], 0) } }
        case .abs: Parallel.forRange(n) { r in for i in r { y[i] = Swift.abs(x[i]) } }
        case .pow(let p):
            if p == 2 {
                Parallel.forRange(n) { r in for i in r { y[i] = x[i] * x[i] } }
            } else {
                Parallel.forRange(n, costPerItem: 8) { r in for i in r { y[i] = Foundation.pow(x[i], p) } }
            }
        case .clamp(let lo, let hi): Parallel.forRange(n) { r in for i in r { y[i] = Swift.min(Swift.max(x[i], lo), hi) } }
        }
    }

    /// `dx = dy * f'(x)`, where `y = f(x)` is the saved forward output.
    public static func unaryBackward(_ f: Unary, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
        switch f {
        case .exp: Parallel.forRange(n) { r in for i in r { dx[i] = dy[i] * y[i] } }
        case .log: Parallel.forRange(n) { r in for i in r { dx[i] = dy[i] / x[i] } }
        case .sqrt: Parallel.forRange(n) { r in for i in r { dx[i] = dy[i] * 0.5 / y[i] } }
        case .tanh: Parallel.forRange(n) { r in for i in r { dx[i] = dy[i] * (1 - y[i] * y[i]) } }
        case .sigmoid: Parallel.forRange(n) { r in for i in r { dx[i] = dy[i] * y[i] * (1 - y[i]) } }
        case .relu: Parallel.forRange(n) { r in for i in r { dx[i] = x[i] > 0 ? dy[i] : 0 } }
        case .abs: Parallel.forRange(n) { r in for i in r { dx[i] = x[i] > 0 ? dy[i] : (x[i] < 0 ? -dy[i] : 0) } }
        case .pow(let p):
            if p == 2 {
                Parallel.forRange(n) { r in for i in r { dx[i] = dy[i] * 2 * x[i] } }
            } else {
                Parallel.forRange(n, costPerItem: 8) { r in for i in r { dx[i] = dy[i] * p * Foundation.pow(x[i], p - 1) } }
            }
        case .clamp(let lo, let hi): Parallel.forRange(n) { r in for i in r { dx[i] = (x[i] >= lo && x[i] <= hi) ? dy[i] : 0 } }
        }
    }
}

// MARK: - GELU

extension Kernels {
    /// `y = x * Φ(x) = 0.5 x (1 + erf(x / √2))`, the exact (erf) GELU that BERT uses.
    public static func geluForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        Parallel.forRange(n, costPerItem: 4) { r in for i in r { y[i] = gelu(x[i]) } }
    }

    @inline(__always) static func gelu(_ v: Float) -> Float { 0.5 * v * (1 + FastMath.erf(v * 0.707_106_77)) }

    /// `dx = dy * (Φ(x) + x φ(x))`.
    public static func geluBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
        Parallel.forRange(n, costPerItem: 4) { r in for i in r { dx[i] = dy[i] * geluDerivative(x[i]) } }
    }

    /// `g *= Φ(x) + x φ(x)`: `geluBackward` with `dx` = `dy`, which that loop would run without
    /// vector instructions (LLVM's overlap check between the two pointers fails).
    public static func geluBackwardInPlace(_ x: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ n: Int) {
        Parallel.forRange(n, costPerItem: 4) { r in for i in r { g[i] *= geluDerivative(x[i]) } }
    }

    @inline(__always)
    static func geluDerivative(_ v: Float) -> Float {
        let cdf = 0.5 * (1 + FastMath.erf(v * 0.707_106_77))
        let pdf = 0.398_942_28 * FastMath.exp(-0.5 * v * v)
        return cdf + v * pdf
    }
}

// MARK: - Quick GELU

extension Kernels {
    /// The slope in `x σ(1.702 x)`, the sigmoid approximation of GELU that OpenAI's CLIP was trained with.
    static let quickGeluSlope: Float = 1.702

    /// `y = x σ(1.702 x)`.
    public static func quickGeluForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        Parallel.forRange(n, costPerItem: 4) { r in for i in r { y[i] = quickGelu(x[i]) } }
    }

    @inline(__always) static func quickGelu(_ v: Float) -> Float { v / (1 + FastMath.exp(-quickGeluSlope * v)) }

    /// `dx = dy * (s + 1.702 x s (1 - s))` with `s = σ(1.702 x)`.
    public static func quickGeluBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
        Parallel.forRange(n, costPerItem: 4) { r in for i in r { dx[i] = dy[i] * quickGeluDerivative(x[i]) } }
    }

    /// `quickGeluBackward` in place (`g` is both `dy` and `dx`), for the same reason as `geluBackwardInPlace`.
    public static func quickGeluBackwardInPlace(_ x: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ n: Int) {
        Parallel.forRange(n, costPerItem: 4) { r in for i in r { g[i] *= quickGeluDerivative(x[i]) } }
    }

    @inline(__always)
    static func quickGeluDerivative(_ v: Float) -> Float {
        let s = 1 / (1 + FastMath.exp(-quickGeluSlope * v))
        return s + quickGeluSlope * v * s * (1 - s)
    }
}

// MARK: - Dropout

extension Kernels {
    /// `y = x * mask / (1 - p)` where `mask[i] = bits(seed, stream, first + i) >= p * 2^32`. The
    /// mask is never stored: the backward regenerates it from `(seed, stream, first)`. `first`
    /// places `x` inside a larger tensor whose mask it shares (rows `r..<r + n` of a batch).
    public static func dropoutForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, p: Float, seed: UInt64, stream: UInt64, first: Int = 0) {
        Philox.forEachLanes(count: n, first: first, seed: seed, stream: stream, DropoutLanes(x: x, y: y, threshold: dropThreshold(p), scale: 1 / (1 - p)))
    }

    /// `dx = dy * mask / (1 - p)` with the forward's mask.
    public static func dropoutBackward(_ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int, p: Float, seed: UInt64, stream: UInt64, first: Int = 0) {
        dropoutForward(dy, dx, n, p: p, seed: seed, stream: stream, first: first)
    }

    @inline(__always)
    static func dropThreshold(_ p: Float) -> UInt32 {
        UInt32(Swift.min(Double(p) * 4_294_967_296.0, 4_294_967_295.0))
    }
}

protocol BinaryFunction { static func apply(_ a: Float, _ b: Float) -> Float }
enum AddFunction: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
enum SubFunction: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
enum MulFunction: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
enum DivFunction: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b } }

/// Inverted dropout of eight elements (or one) given their random bits.
struct DropoutLanes: PhiloxLanes {
    let x: UnsafePointer<Float>
    let y: UnsafeMutablePointer<Float>
    let threshold: UInt32
    let scale: Float

    @inline(__always) func lanes(_ offset: Int, _ bits: SIMD8<UInt32>) {
        let kept = x.load8(offset) * scale
        y.store8(kept.replacing(with: SIMD8<Float>(), where: bits .< SIMD8<UInt32>(repeating: threshold)), offset)
    }

    @inline(__always) func element(_ index: Int, _ bits: UInt32) { y[index] = bits >= threshold ? x[index] * scale : 0 }
}
