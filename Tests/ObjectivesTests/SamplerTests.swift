import Foundation
@testable import Objectives
import Testing
import Tensors

@Suite struct HardNegativeSamplerTests {
    @Test func neverDrawsThePositiveOrASameIDColumn() {
        var generator = RandomGenerator(seed: 11)
        let ids = [0, 0, 1, 2, 2, 3]   // rows 0/1 and 3/4 share an id (two captions of one image)
        // The same-id columns are the most similar: a sampler that ignored ids would pick them.
        let sims = Tensor.constant(rows: 6, columns: 6) { i, j in ids[i] == ids[j] ? 50 : Float((i * 7 + j * 3) % 5) }
        let sampler = HardNegativeSampler()
        for _ in 0..<50 {
            let drawn = sampler.sample(similarities: sims, rowIDs: ids, columnIDs: ids, generator: &generator)
            for (i, j) in drawn.enumerated() {
                #expect(j != nil && j != i && ids[j!] != ids[i])
            }
        }
    }

    @Test func drawsInProportionToSoftmaxAndIsReproducible() {
        let sims = Tensor([0, 0, Foundation.log(3), 0], shape: [1, 4])   // weights 1 : 3 : 1 over columns 1, 2, 3
        let sampler = HardNegativeSampler()
        var generator = RandomGenerator(seed: 3)
        var counts = [0, 0, 0, 0]
        for _ in 0..<2000 { counts[sampler.sample(similarities: sims, rowIDs: [0], columnIDs: [0, 1, 2, 3], generator: &generator)[0]!] += 1 }
        #expect(counts[0] == 0)
        #expect(abs(Double(counts[2]) / 2000 - 0.6) < 0.05)
        var a = RandomGenerator(seed: 9), b = RandomGenerator(seed: 9)
        #expect(sampler.sample(similarities: sims, rowIDs: [0], columnIDs: [0, 1, 2, 3], generator: &a)
                == sampler.sample(similarities: sims, rowIDs: [0], columnIDs: [0, 1, 2, 3], generator: &b))
    }

    @Test func aRowWithNothingToContrastGetsNil() {
        var generator = RandomGenerator(seed: 1)
        let drawn = HardNegativeSampler().sample(similarities: Tensor.zeros([2, 2]), rowIDs: [4, 5], columnIDs: [4, 4], generator: &generator)
        #expect(drawn[0] == nil && drawn[1] != nil)
    }
}
