/// Philox4x32-10 (Salmon et al. 2011), a counter-based generator: the random bits at position
/// `counter` under `key` are a pure function of the two, so any element of any random stream can
/// be regenerated exactly. Dropout keys its masks by `(seed, stream key)` and element index,
/// which lets gradient caching replay a forward pass with identical masks.
public enum Philox {
    /// The four 32-bit random words at `counter` under `key`.
    @inline(__always)
    public static func block(counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
        var (c0, c1, c2, c3) = counter
        var (k0, k1) = key
        for _ in 0..<10 {
            let p0 = UInt64(0xD251_1F53) &* UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
            k0 = k0 &+ 0x9E37_79B9
            k1 = k1 &+ 0xBB67_AE85
        }
        return (c0, c1, c2, c3)
    }

    /// Eight Philox blocks at once: lane `l` computes the block with counter
    /// `(c0[l], c1, c2, c3)`. Returns the four output words, each as eight lanes.
    @inline(__always)
    static func block8(_ c0: SIMD8<UInt32>, _ c1: UInt32, _ c2: UInt32, _ c3: UInt32, key: (UInt32, UInt32)) -> (SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>) {
        var x0 = c0, x1 = SIMD8<UInt32>(repeating: c1), x2 = SIMD8<UInt32>(repeating: c2), x3 = SIMD8<UInt32>(repeating: c3)
        var k0 = key.0, k1 = key.1
        for _ in 0..<10 {
            let hi0 = mulhi8(x0, 0xD251_1F53), lo0 = x0 &* 0xD251_1F53
            let hi1 = mulhi8(x2, 0xCD9E_8D57), lo1 = x2 &* 0xCD9E_8D57
            (x0, x1, x2, x3) = (hi1 ^ x1 ^ SIMD8(repeating: k0), lo1, hi0 ^ x3 ^ SIMD8(repeating: k1), lo0)
            k0 = k0 &+ 0x9E37_79B9
            k1 = k1 &+ 0xBB67_AE85
        }
        return (x0, x1, x2, x3)
    }

    /// The high 32 bits of each lane's 64-bit product with `m`. Written lane by lane because
    /// that form compiles to `vpmuludq`, where the generic widening conversions stay lane loops.
    @inline(__always)
    static func mulhi8(_ x: SIMD8<UInt32>, _ m: UInt64) -> SIMD8<UInt32> {
        let p = SIMD8<UInt64>(UInt64(x[0]), UInt64(x[1]), UInt64(x[2]), UInt64(x[3]),
                              UInt64(x[4]), UInt64(x[5]), UInt64(x[6]), UInt64(x[7])) &* m
        return SIMD8<UInt32>(UInt32(truncatingIfNeeded: p[0] >> 32), UInt32(truncatingIfNeeded: p[1] >> 32),
                             UInt32(truncatingIfNeeded: p[2] >> 32), UInt32(truncatingIfNeeded: p[3] >> 32),
                             UInt32(truncatingIfNeeded: p[4] >> 32), UInt32(truncatingIfNeeded: p[5] >> 32),
                             UInt32(truncatingIfNeeded: p[6] >> 32), UInt32(truncatingIfNeeded: p[7] >> 32))
    }

    /// How elements map to Philox output: elements are taken in groups of 32; element
    /// `32g + 8w + l` is word `w` of block `8g + l`. Eight consecutive elements are then eight
    /// lanes of one word, so kernels consume the generator in vector registers.
    @inline(__always)
    public static func bits(seed: UInt64, stream: UInt64, index: Int) -> UInt32 {
        let block = UInt64((index >> 5) << 3 | (index & 7))
        let w = Philox.block(
            counter: (UInt32(truncatingIfNeeded: block), UInt32(truncatingIfNeeded: block >> 32),
                      UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32)),
            key: (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)))
        switch (index >> 3) & 3 {
        case 0: return w.0
        case 1: return w.1
        case 2: return w.2
        default: return w.3
        }
    }

    /// Feeds the random bits of elements `first..<first + count` of stream `(seed, stream)` to
    /// `consumer`, at offsets `0..<count`: eight lanes at a time for every run of eight that lies
    /// inside the range (in parallel over groups of 32), one at a time at its ragged ends. A part
    /// of a tensor (a chunk of rows) thus gets exactly the bits it has in the whole tensor.
    /// Generic rather than closure-based so that each consumer is specialised into the loop (a
    /// closure call per eight elements halves dropout's speed).
    @inline(__always)
    static func forEachLanes<Consumer: PhiloxLanes>(count: Int, first: Int = 0, seed: UInt64, stream: UInt64, _ consumer: Consumer) {
        guard count > 0 else { return }
        ensure(first >= 0, "Philox: first element \(first) must not be negative")
        let key = (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        let s0 = UInt32(truncatingIfNeeded: stream), s1 = UInt32(truncatingIfNeeded: stream >> 32)
        let lanes = SIMD8<UInt32>(0, 1, 2, 3, 4, 5, 6, 7)
        let firstGroup = first >> 5, endGroup = (first + count + 31) >> 5
        Parallel.forRange(endGroup - firstGroup, costPerItem: 200) { groups in
            for i in groups {
                let g = firstGroup &+ i
                let block = UInt64(g) << 3
                let w = block8(SIMD8(repeating: UInt32(truncatingIfNeeded: block)) &+ lanes, UInt32(truncatingIfNeeded: block >> 32), s0, s1, key: key)
                // Where the group's first element lands in the consumer's range (negative before it).
                let base = g &* 32 &- first
                if base >= 0 && base &+ 32 <= count {
                    consumer.lanes(base, w.0); consumer.lanes(base &+ 8, w.1)
                    consumer.lanes(base &+ 16, w.2); consumer.lanes(base &+ 24, w.3)
                    continue
                }
                for (k, word) in [w.0, w.1, w.2, w.3].enumerated() {
                    let offset = base &+ k &* 8
                    if offset >= 0 && offset &+ 8 <= count {
                        consumer.lanes(offset, word)
                    } else {
                        let low = Swift.min(8, Swift.max(0, -offset)), high = Swift.max(low, Swift.min(8, count &- offset))
                        for l in low..<high { consumer.element(offset &+ l, word[l]) }
                    }
                }
            }
        }
    }

    /// Fills `out[0..<count]` with uniform floats in [0, 1): elements `first..<first + count` of
    /// stream `(seed, stream)`.
    public static func fillUniform(_ out: UnsafeMutablePointer<Float>, count: Int, first: Int = 0, seed: UInt64, stream: UInt64) {
        forEachLanes(count: count, first: first, seed: seed, stream: stream, UniformLanes(out: out))
    }

    /// Maps 32 random bits to a float in [0, 1) using the top 24 bits (exactly representable).
    @inline(__always)
    public static func unitFloat(_ bits: UInt32) -> Float { Float(bits >> 8) * (1.0 / 16_777_216.0) }
}

/// A seedable source of random streams: each draw of `nextStream()` names a fresh Philox stream.
/// A value type, so saving and restoring it (checkpoints, replay) is an assignment.
public struct RandomGenerator: Sendable, Equatable, Codable {
    /// The Philox key.
    public let seed: UInt64
    /// The number of streams drawn so far.
    public var offset: UInt64

    public init(seed: UInt64, offset: UInt64 = 0) {
        self.seed = seed
        self.offset = offset
    }

    /// A new stream key; masks and samples drawn with it never overlap earlier draws.
    public mutating func nextStream() -> UInt64 {
        defer { offset &+= 1 }
        return offset
    }

    /// A uniform integer in `0..<upperBound` (for shuffling and sampling), drawn as its own stream.
    public mutating func nextInt(below upperBound: Int) -> Int {
        ensure(upperBound > 0, "RandomGenerator.nextInt: upper bound \(upperBound) must be positive")
        let s = nextStream()
        let high = UInt64(Philox.bits(seed: seed, stream: s, index: 0))
        let low = UInt64(Philox.bits(seed: seed, stream: s, index: 1))
        return Int(((high << 32) | low) % UInt64(upperBound))
    }

    /// A uniform float in [0, 1), drawn as its own stream.
    public mutating func nextUniform() -> Float {
        Philox.unitFloat(Philox.bits(seed: seed, stream: nextStream(), index: 0))
    }

    /// `array` in a uniformly random order (Fisher-Yates).
    public mutating func shuffled<T>(_ array: [T]) -> [T] {
        var a = array
        if a.count < 2 { return a }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            a.swapAt(i, nextInt(below: i + 1))
        }
        return a
    }
}

/// What kernels do with Philox output, eight elements or one at a time (see `Philox.forEachLanes`).
protocol PhiloxLanes {
    /// Elements `offset..<offset + 8` with their random bits.
    func lanes(_ offset: Int, _ bits: SIMD8<UInt32>)
    /// One element of the tail with its random bits.
    func element(_ index: Int, _ bits: UInt32)
}

/// Uniform floats in [0, 1) from the top 24 bits.
struct UniformLanes: PhiloxLanes {
    let out: UnsafeMutablePointer<Float>
    @inline(__always) func lanes(_ offset: Int, _ bits: SIMD8<UInt32>) { out.store8(SIMD8<Float>(bits &>> 8) * (1.0 / 16_777_216.0), offset) }
    @inline(__always) func element(_ index: Int, _ bits: UInt32) { out[index] = Philox.unitFloat(bits) }
}
