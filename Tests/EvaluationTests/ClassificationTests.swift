@testable import Evaluation
import Tensors
import Testing
import TestSupport
import Text

/// Linear probe, k-NN and zero-shot classification on data whose answer is known.
@Suite struct ClassificationTests {
    /// `n` points per class around well-separated centres in `d` dimensions, with `noise` spread.
    func blobs(classes: Int, perClass n: Int, d: Int, noise: Float, seed: UInt64) -> (Tensor, [Int]) {
        let centres = Tensor.randn([classes, d], seed: seed) * 3
        let labels = (0..<(classes * n)).map { $0 % classes }
        let features = centres.indexSelect(axis: 0, labels) + Tensor.randn([classes * n, d], seed: seed + 1) * noise
        return (features, labels)
    }

    @Test func linearProbeSeparatesBlobs() {
        let train = blobs(classes: 4, perClass: 100, d: 16, noise: 1, seed: 1)
        let test = blobs(classes: 4, perClass: 50, d: 16, noise: 1, seed: 1)
        let result = LinearProbe(epochs: 10).evaluate(train: train, test: test)
        #expect(result.trainAccuracy > 0.97)
        #expect(result.testAccuracy > 0.95)
    }

    @Test func linearProbeCannotLearnRandomLabelsOfUnseenData() {
        let features = Tensor.randn([400, 8], seed: 3)
        var generator = RandomGenerator(seed: 4)
        let labels = (0..<400).map { _ in generator.nextInt(below: 2) }
        let result = LinearProbe(epochs: 10).evaluate(train: (features.indexSelect(axis: 0, Array(0..<300)), Array(labels[0..<300])),
                                                      test: (features.indexSelect(axis: 0, Array(300..<400)), Array(labels[300..<400])))
        #expect(result.testAccuracy < 0.7)
    }

    @Test func standardisationKeepsConstantDimensions() {
        let features = Tensor([1, 5, 3, 5, 5, 5], shape: [3, 2])
        let standardised = Standardisation(features)(features).scalars
        #expect(standardised.enumerated().filter { $0.offset % 2 == 1 }.allSatisfy { $0.element == 0 })
        let first = standardised.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        #expect(abs(first[0] + first[2]) < 1e-6 && abs(first[1]) < 1e-6 && abs(first[0] * first[0] - 1.5) < 1e-5)
    }

    @Test func nearestNeighbourVotesByClosestExamples() {
        let bank = Tensor([1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9, -1, 0], shape: [5, 2])
        let knn = NearestNeighborClassifier(features: bank, labels: [0, 0, 1, 1, 2], k: 2)
        #expect(knn.predict(Tensor([1, 0.05, 0.05, 1, -1, -0.1], shape: [3, 2])) == [0, 1, 2])
        let blobsTrain = blobs(classes: 3, perClass: 60, d: 10, noise: 0.5, seed: 5)
        let blobsTest = blobs(classes: 3, perClass: 20, d: 10, noise: 0.5, seed: 5)
        #expect(NearestNeighborClassifier(features: blobsTrain.0, labels: blobsTrain.1, k: 20).accuracy(blobsTest.0, labels: blobsTest.1) == 1)
    }

    @Test func topIndicesAgreeWithSorting() {
        var generator = RandomGenerator(seed: 11)
        let values = (0..<300).map { _ in Float(generator.nextInt(below: 40)) }
        let sorted = values.indices.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }
        for k in [1, 7, 300] { #expect(topIndices(values[...], k) == Array(sorted.prefix(k))) }
        let slice = values[100..<200]
        #expect(topIndices(slice, 5) == Array(slice.indices.sorted { slice[$0] > slice[$1] || (slice[$0] == slice[$1] && $0 < $1) }.prefix(5)))
    }

    @Test func zeroShotAveragesPromptEmbeddings() throws {
        // "a {}" points along the class axis; "the {}" is tilted towards the next class.
        let classes = ["cat", "dog", "fox"]
        let encode: EmbeddingFunction = { prompts in
            Tensor(prompts.flatMap { prompt -> [Float] in
                let c = classes.firstIndex { prompt.hasSuffix($0) }!
                var row = [Float](repeating: 0, count: 3)
                row[c] = 1
                if prompt.hasPrefix("the") { row[(c + 1) % 3] = 0.5 }
                return row
            }, shape: [prompts.count, 3])
        }
        let classifier = try ZeroShotClassifier(classNames: classes, templates: ["a {}", "the {}"], encodeText: encode)
        let expectedFirstRow: [Float] = {
            let root = Float(1.25).squareRoot()
            let a: [Float] = [1, 0, 0], b: [Float] = [1 / root, 0.5 / root, 0]
            let mean = zip(a, b).map { ($0 + $1) / 2 }
            let norm = mean.map { $0 * $0 }.reduce(0, +).squareRoot()
            return mean.map { $0 / norm }
        }()
        for (got, want) in zip(classifier.classEmbeddings.scalars.prefix(3), expectedFirstRow) { #expect(abs(got - want) < 1e-6) }
        let images = Tensor([0.9, 0.1, 0, 0, 0.2, 1, 0.1, 1, 0], shape: [3, 3])
        #expect(classifier.predict(images) == [0, 2, 1])
        #expect(classifier.accuracy(images, labels: [0, 2, 0]) == 2.0 / 3)
        #expect(throws: EvaluationError.self) { try ZeroShotClassifier(classNames: classes, templates: ["a photo"], encodeText: encode) }
        #expect(throws: EvaluationError.self) { try ZeroShotClassifier(classNames: [], templates: ["a {}"], encodeText: encode) }
    }

    /// Classes may have different numbers of prompts: each is the normalised mean of its own.
    @Test func zeroShotFromEachClasssPrompts() throws {
        let encode: EmbeddingFunction = { prompts in
            Tensor(prompts.flatMap { prompt -> [Float] in prompt == "x" ? [2, 0] : prompt == "y" ? [0, 3] : [1, 1] }, shape: [prompts.count, 2])
        }
        let classifier = try ZeroShotClassifier(prompts: [["x", "y"], ["z"], ["x"]], encodeText: encode)
        let half = Float(0.5).squareRoot()
        for (got, want) in zip(classifier.classEmbeddings.scalars, [half, half, half, half, 1, 0]) { #expect(abs(got - want) < 1e-6) }
        #expect(throws: EvaluationError.self) { try ZeroShotClassifier(prompts: [["x"], []], encodeText: encode) }
        let (overall, perClass) = ZeroShotClassifier.accuracy(predictions: [0, 1, 1, 2, 0], labels: [0, 1, 2, 2, 0], classes: 4)
        #expect(overall == 0.8 && perClass == [1, 1, 0.5, nil])
    }

    @Test func promptTemplates() throws {
        #expect(PromptTemplates.clipImageNet.count == 80 && Set(PromptTemplates.clipImageNet).count == 80)
        #expect(PromptTemplates.clipImageNet.allSatisfy { $0.contains("{}") } && PromptTemplates.clipImageNet.first == "a bad photo of a {}.")
        let file = try TestPaths.write("a photo of a {}\n\n  the {} again  \n", named: "templates.txt")
        #expect(try PromptTemplates.read(file) == ["a photo of a {}", "the {} again"])
        let bad = try TestPaths.write("a {}\na photo\n", named: "templates.txt")
        #expect(throws: TextFileError(file: bad, line: 2, .invalidRecord("the template has no {} for the class name"))) { try PromptTemplates.read(bad) }
        let empty = try TestPaths.write("\n", named: "templates.txt")
        #expect(throws: TextFileError.self) { try PromptTemplates.read(empty) }
    }
}
