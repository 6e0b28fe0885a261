import Testing
import Tensors
@testable import NeuralNetworks

@Suite struct ModuleTests {
    @Test func namesFollowHuggingFace() {
        let names = TinyEncoder(depth: 2).namedParameters().map(\.name)
        #expect(names == [
            "encoder.layer.0.self.query.weight", "encoder.layer.0.self.query.bias",
            "encoder.layer.0.LayerNorm.weight", "encoder.layer.0.LayerNorm.bias",
            "encoder.layer.1.self.query.weight", "encoder.layer.1.self.query.bias",
            "encoder.layer.1.LayerNorm.weight", "encoder.layer.1.LayerNorm.bias",
        ])
        #expect(TinyEncoder().namedModules().map(\.name).contains("encoder.layer.1.self.query"))
    }

    @Test func countsAndFreezing() {
        let model = TinyEncoder(width: 3, depth: 2)
        #expect(model.parameterCount == 2 * (9 + 3 + 3 + 3))
        model.freeze(prefix: "encoder.layer.0")
        #expect(model.trainableParameterCount == 18)
        #expect(model.trainableParameters().allSatisfy { $0.name.hasPrefix("encoder.layer.1.") })
        model.unfreeze()
        #expect(model.trainableParameterCount == 36)
        // Whole path components only: "encoder.lay" covers nothing.
        model.freeze(prefix: "encoder.lay")
        #expect(model.trainableParameterCount == 36)
    }

    @Test func frozenParametersGetNoGradient() {
        var g = RandomGenerator(seed: 1)
        let linear = Linear(inputSize: 2, outputSize: 2, generator: &g)
        linear.freeze(prefix: "weight")
        linear(Tensor([1, 2], shape: [1, 2])).sum().backward()
        #expect(linear.weight.grad == nil)
        #expect(linear.bias!.grad!.scalars == [1, 1])
    }

    @Test func trainAndEvalAreRecursive() {
        let model = TinyEncoder()
        model.eval()
        #expect(model.namedModules().allSatisfy { !$0.module.isTraining })
        model.train()
        #expect(model.layers[1].query.isTraining)
    }

    @Test func stateDictRoundTripsInPlace() throws {
        let source = TinyEncoder(seed: 1), target = TinyEncoder(seed: 2)
        let weight = target.layers[0].query.weight
        try target.load(stateDict: source.stateDict())
        #expect(weight === target.layers[0].query.weight)
        #expect(weight.scalars == source.layers[0].query.weight.scalars)
    }

    @Test func strictLoadingNamesEveryProblem() {
        let model = TinyEncoder(width: 3, depth: 1)
        var state = model.stateDict()
        state["encoder.layer.0.LayerNorm.bias"] = nil
        state["encoder.layer.0.self.query.weight"] = Tensor.zeros([2, 3])
        state["pooler.dense.weight"] = Tensor.zeros([1])
        state["embeddings.position_ids"] = Tensor.zeros([1, 4])
        let before = model.layers[0].norm.weight.scalars
        let expected = StateDictError(
            missingKeys: ["encoder.layer.0.LayerNorm.bias"], unexpectedKeys: ["pooler.dense.weight"],
            shapeMismatches: [.init(key: "encoder.layer.0.self.query.weight", expected: [3, 3], found: [2, 3])])
        #expect(throws: expected) { try model.load(stateDict: state, ignoring: ["embeddings.position_ids"]) }
        #expect(expected.description.contains("missing keys: encoder.layer.0.LayerNorm.bias"))
        #expect(model.layers[0].norm.weight.scalars == before)  // nothing written on failure
    }

    @Test func lenientLoadingReportsButLoads() throws {
        let model = TinyEncoder(width: 3, depth: 1)
        var state = model.stateDict().mapValues { Tensor.full($0.shape, 7) }
        state["encoder.layer.0.LayerNorm.bias"] = nil
        state["extra"] = Tensor.zeros([1])
        let report = try model.load(stateDict: state, strict: false)
        #expect(report.missingKeys == ["encoder.layer.0.LayerNorm.bias"] && report.unexpectedKeys == ["extra"])
        #expect(model.layers[0].query.weight.scalars.allSatisfy { $0 == 7 })
    }
}
