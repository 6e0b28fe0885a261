import Testing
import Tensors

/// `Tensor.mappingRowBlocks`: a row-wise computation in blocks of rows gives the values of the
/// whole, each block at most the size asked for.
@Suite struct RowBlockTests {
    @Test func blocksGiveTheWholesValues() {
        let x = Tensor.randn([7, 5, 3], seed: 1)
        let body = { (t: Tensor) in (t * 2 + 1).softmax() }
        var blockRows: [Int] = []
        let blocked = withoutGradient {
            x.mappingRowBlocks(maximumRows: 4) { block in
                blockRows.append(block.shape[0])
                return body(block)
            }
        }
        // 35 rows split evenly into 9 blocks of at most 4.
        #expect(blockRows == [4, 4, 4, 4, 4, 4, 4, 4, 3])
        #expect(blocked.shape == x.shape)
        #expect(blocked.scalars == withoutGradient { body(x) }.scalars)
    }

    @Test func aTensorThatFitsIsOneBlock() {
        let x = Tensor.randn([2, 3, 4], seed: 2)
        var calls = 0
        let y = withoutGradient { x.mappingRowBlocks(maximumRows: 6) { calls += 1; return $0 } }
        #expect(calls == 1 && y.shape == x.shape && y.scalars == x.scalars)
    }

    @Test func refusesAnInputThatRecordsGradients() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor.randn([4, 2], seed: 3).requiringGradient()
            _ = x.mappingRowBlocks(maximumRows: 1) { $0 }
        }
        if let r {
            #expect(String(decoding: r.standardErrorContent, as: UTF8.self).contains("mappingRowBlocks: records no gradient"))
        }
    }
}
