import Testing
@testable import Tensors

@Test func matmulBackwardSmoke() {
    let a = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]).requiringGradient()
    let b = Tensor([1, 0, 0, 1, 1, 1], shape: [3, 2]).requiringGradient()
    let c = a.matmul(b)
    #expect(c.scalars == [4, 5, 10, 11])
    c.sum().backward()
    #expect(a.grad!.scalars == [1, 1, 2, 1, 1, 2])
    #expect(b.grad!.scalars == [5, 5, 7, 7, 9, 9])
}
