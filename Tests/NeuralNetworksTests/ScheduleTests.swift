import Testing
@testable import NeuralNetworks

@Suite struct ScheduleTests {
    @Test func constant() {
        let plain = ConstantSchedule(learningRate: 0.1)
        #expect([0, 1, 1000].map(plain.learningRate(at:)) == [0.1, 0.1, 0.1])
        let warm = ConstantSchedule(learningRate: 1, warmupSteps: 4)
        #expect([0, 1, 2, 4, 100].map(warm.learningRate(at:)) == [0, 0.25, 0.5, 1, 1])
    }

    @Test func linearWarmupThenDecay() {
        let s = LinearSchedule(peakLearningRate: 1, warmupSteps: 10, totalSteps: 110)
        #expect([0, 5, 10, 60, 110, 200].map(s.learningRate(at:)) == [0, 0.5, 1, 0.5, 0, 0])
        #expect(LinearSchedule(peakLearningRate: 2, warmupSteps: 0, totalSteps: 4).learningRate(at: 1) == 1.5)
    }

    @Test func cosineWithWarmup() {
        let s = CosineSchedule(peakLearningRate: 1, warmupSteps: 10, totalSteps: 110)
        let values = [0, 5, 10, 35, 60, 85, 110, 500].map(s.learningRate(at:))
        let expected: [Float] = [0, 0.5, 1, 0.8535534, 0.5, 0.1464466, 0, 0]
        #expect(close(values, expected, tolerance: 1e-6))
        let floored = CosineSchedule(peakLearningRate: 1, warmupSteps: 0, totalSteps: 100, minimumLearningRate: 0.1)
        #expect(close([0, 50, 100].map(floored.learningRate(at:)), [1, 0.55, 0.1], tolerance: 1e-6))
    }
}
