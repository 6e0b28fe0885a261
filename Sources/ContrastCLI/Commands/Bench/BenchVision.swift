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
            Models: ResNet-8 (CIFAR stem, stages 16-32-64, one block each) and ViT tiny28 (patches of 7, 64 wide, \
            4 layers), both randomly initialised in training mode. A step is the forward of the batch, a scalar \
            loss on the features and its backward (no optimizer). Each figure is the median of --repeats steps.
            """)

    /// The encoders the command can time.
    enum Model: String, ExpressibleByArgument, CaseIterable {
        case all, resnet8
        case vitTiny28 = "vit-tiny28"
    }

    @Option(help: "The encoder to time: all, resnet8 or vit-tiny28.") var model: Model = .all
    @Option(help: "Images per batch.") var batch = 256
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
        guard batch > 1, repeats > 0 else { throw ValidationError("--batch must be at least 2 (batch statistics) and --repeats positive") }
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
        let resnet = ResNet(ResNetConfiguration(preset: .resnet8, channels: 1), generator: &g)
        let vit = VisionTransformer(VisionTransformerConfiguration(preset: .tiny28), source: RandomSource(seed: 0), generator: &g)
        var results: [Measurement] = []
        if model != .vitTiny28 { results.append(measure(Model.resnet8.rawValue, resnet) { resnet($0) }) }
        if model != .resnet8 { results.append(measure(Model.vitTiny28.rawValue, vit) { vit($0).cls }) }
        for r in results {
            Report.info("\(r.model.padding(toLength: 11, withPad: " ", startingAt: 0)) (\(r.parameters) parameters) batch \(batch) x [1, 28, 28]: "
                + "\(Format.fixed(r.ms_per_step, 1)) ms/step forward+backward, \(Format.fixed(r.images_per_s, 0)) images/s")
        }
        if json { try Report.json(Result(batch: batch, image: [1, 28, 28], models: results, threads: Parallel.threadCount)) }
    }
}
