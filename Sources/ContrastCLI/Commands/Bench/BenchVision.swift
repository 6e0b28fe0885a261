import ArgumentParser
import Models
import NeuralNetworks
import Tensors

/// `contrast bench vision`: forward+backward time of the small vision encoders on a batch of images.
struct BenchVision: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vision",
        abstract: "Milliseconds per forward+backward of the default ResNet and ViT on a batch of 28x28 grayscale images.",
        discussion: """
            Models (--shape all): ResNet-8 (CIFAR stem, stages 16-32-64, one block each) and ViT tiny28 (patches of 7, 64 wide, \
            4 layers), both randomly initialised in training mode. A step is the forward of the batch, a scalar \
            loss on the features and its backward (no optimizer). Each figure is the median of --repeats steps.
            """)

    /// The ViT's name for --shape.
    static let vit = "vit-tiny28"

    /// `all` times ResNet-8 and ViT tiny28; any ResNet preset or `vit-tiny28` times that one.
    @Option(help: "The encoder to time: all (resnet8 and vit-tiny28), vit-tiny28, or a ResNet preset (\(ResNetConfiguration.Preset.allCases.map(\.rawValue).joined(separator: ", "))).")
    var shape = "all"

    @Option(name: .customLong("batch-size"), help: "Images per batch.") var batch = 256
    @Option(help: "Timed steps (after 2 warm-up steps); the median counts.") var repeats = 10
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    struct Measurement: Encodable {
        let model: String
        let parameters: Int
        let ms_per_step: Double
        let images_per_s: Double
    }

    struct Result: Encodable {
        let batch: Int
        let image: [Int]
        let models: [Measurement]
        let threads: Int
    }

    func validate() throws {
        guard batch > 1, repeats > 0 else { throw ValidationError("--batch-size must be at least 2 (batch statistics) and --repeats positive") }
        guard ["all", Self.vit].contains(shape) || ResNetConfiguration.Preset(rawValue: shape) != nil else {
            throw ValidationError("--shape \(shape): not all, \(Self.vit) or a ResNet preset")
        }
    }

    func measure(_ name: String, _ module: Module, _ encode: @escaping (Tensor) -> Tensor) -> Measurement {
        let images = Tensor.randn([batch, 1, 28, 28], seed: 1)
        let seconds = Stopwatch.median(warmup: 2, repeats: repeats) {
            module.zeroGrad()
            encode(images).pow(2).mean().backward()
        }
        return Measurement(model: name, parameters: module.parameterCount, ms_per_step: seconds * 1e3, images_per_s: Double(batch) / seconds)
    }

    func run() throws {
        var g = RandomGenerator(seed: 0)
        var results: [Measurement] = []
        if shape != Self.vit {
            let preset = ResNetConfiguration.Preset(rawValue: shape) ?? .resnet8
            let resnet = ResNet(ResNetConfiguration(preset: preset, channels: 1), generator: &g)
            results.append(measure(preset.rawValue, resnet) { resnet($0) })
        }
        if shape == "all" || shape == Self.vit {
            let vit = VisionTransformer(VisionTransformerConfiguration(preset: .tiny28), source: RandomSource(seed: 0), generator: &g)
            results.append(measure(Self.vit, vit) { vit($0).cls })
        }
        for r in results {
            Report.result(json: json, "\(r.model.padding(toLength: 11, withPad: " ", startingAt: 0)) (\(r.parameters) parameters) batch \(batch) x [1, 28, 28]: "
                + "\(Format.fixed(r.ms_per_step, 1)) ms/step forward+backward, \(Format.fixed(r.images_per_s, 0)) images/s")
        }
        if json { try Report.json(Result(batch: batch, image: [1, 28, 28], models: results, threads: Parallel.threadCount)) }
    }
}
