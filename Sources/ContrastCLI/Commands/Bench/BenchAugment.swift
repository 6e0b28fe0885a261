import ArgumentParser
import Tensors
import Vision

/// `contrast bench augment`: the SimCLR image augmentations on a training step's batch.
struct BenchAugment: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "augment",
        abstract: "Time to make two SimCLR views of a batch of images and stack them into tensors.",
        discussion: """
            A contrastive step on images augments every image twice (random resized crop, flip, colour \
            jitter, grayscale, blur) and normalises the views into two [N, C, H, W] tensors; this must \
            stay a small part of the step. Fashion-MNIST test images (28x28 grayscale) or Shapes images \
            (32x32 RGB, where the colour operations do work). Reported: the fastest of --repeats runs.
            """)

    enum Data: String, ExpressibleByArgument, CaseIterable { case fashion = "fashion-mnist", shapes }

    @Option(name: .customLong("dataset"), help: "Images: fashion-mnist (28x28 grayscale) or shapes (32x32 RGB).") var data = Data.fashion
    @Option(name: .customLong("batch-size"), help: "Images per view.") var batch = 256
    @Option(help: "Timed repetitions (after 3 warm-up runs).") var repeats = 30
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    struct Result: Encodable {
        let data: String
        let batch: Int
        let ms: Double
        let us_per_image: Double
        let threads: Int
    }

    func validate() throws {
        guard batch > 0, repeats > 0 else { throw ValidationError("--batch-size and --repeats must be positive") }
    }

    func run() throws {
        let images: [Image] = switch data {
        case .fashion: Array(try FashionMNIST.load(.test).images.prefix(batch))
        case .shapes: ShapesDataset(split: .test, count: batch).examples.map(\.image)
        }
        let normalization = ChannelNormalization.estimated(from: images)
        let pipeline = ImagePipeline.simCLR(size: images[0].height)
        var generator = RandomGenerator(seed: 0)
        var best = Double.infinity
        for run in 0..<(3 + repeats) {
            let seconds = Stopwatch.seconds {
                for _ in 0..<2 { _ = Tensor(images: pipeline.views(of: images, generator: &generator), normalization: normalization) }
            }
            if run >= 3 { best = min(best, seconds) }
        }
        let result = Result(data: data.rawValue, batch: images.count, ms: best * 1e3,
                            us_per_image: best * 1e6 / Double(2 * images.count), threads: Parallel.threadCount)
        Report.result(json: json, "augment \(data.rawValue) 2 x \(images.count): \(Format.fixed(result.ms, 2)) ms "
            + "(\(Format.fixed(result.us_per_image, 1)) µs per view, \(result.threads) threads)")
        if json { try Report.json(result) }
    }
}
