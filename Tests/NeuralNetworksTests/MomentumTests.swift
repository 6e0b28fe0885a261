import Foundation
import NeuralNetworks
import Testing
import Tensors

@Suite struct MomentumTests {
    @Test func scheduleValues() {
        #expect(MomentumSchedule.constant(0.999).momentum(atStep: 123) == 0.999)
        let cosine = MomentumSchedule.cosine(base: 0.996, totalSteps: 100)
        #expect(abs(cosine.momentum(atStep: 0) - 0.996) < 1e-7)
        #expect(abs(cosine.momentum(atStep: 50) - 0.998) < 1e-7)
        #expect(cosine.momentum(atStep: 100) == 1)
        #expect(cosine.momentum(atStep: 500) == 1)
        let t = 25.0, expected = 1 - 0.004 * (cos(Double.pi * t / 100) + 1) / 2
        #expect(abs(Double(cosine.momentum(atStep: 25)) - expected) < 1e-7)
    }

    @Test func updatesTargetsInPlaceWithoutGradient() {
        let online = Tensor([1, 2, 3, 4], shape: [2, 2]).requiringGradient()
        let target = Tensor.zeros([2, 2])
        let updater = MomentumUpdater(pairs: [(online, target)], schedule: .constant(0.9))
        updater.update(atStep: 0)
        #expect(close(target.scalars, [0.1, 0.2, 0.3, 0.4], tolerance: 1e-6))
        updater.update(atStep: 1)
        #expect(close(target.scalars, [0.19, 0.38, 0.57, 0.76], tolerance: 1e-6))
        #expect(online.scalars == [1, 2, 3, 4])
        #expect(!target.requiresGrad && target.grad == nil)
    }

    @Test func copyOnlineIntoTargetsAndFullMomentum() {
        let online = Tensor([5, 6], shape: [2]), target = Tensor([0, 0], shape: [2])
        let updater = MomentumUpdater(pairs: [(online, target)], schedule: .cosine(base: 0.99, totalSteps: 10))
        updater.copyOnlineIntoTargets()
        #expect(target.scalars == [5, 6])
        online.assign(Tensor([7, 8]))
        updater.update(atStep: 10)   // m = 1: the target stays
        #expect(target.scalars == [5, 6])
    }
}
