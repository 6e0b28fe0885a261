import Foundation
import NeuralNetworks
import Tensors
import TestSupport
import Text
import Testing

/// `mpirun -np 2 contrast train ... --batch-size 32` trains as `contrast train ... --batch-size 64`
/// in one process for methods without BatchNorm: the same losses, gradient norms and weights
/// (dropout on), while process 1 stays quiet and process 0 alone writes the run. Methods with
/// BatchNorm train on two processes with each normalising its own share: close to one process,
/// not equal.
@Suite(.serialized) struct DistributedTrainingTests {
    let runner = CommandLineTests()

    /// Lets Open MPI run as root (CI) and keeps one thread per process on a small machine.
    static let environment = ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "OMP_NUM_THREADS": "1"]

    struct MissingMPI: Error, CustomStringConvertible {
        var description: String { "mpirun is not on PATH: run scripts/install-deps.sh (Debian openmpi-bin, libopenmpi-dev)" }
    }

    static func mpirun() throws -> URL {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("mpirun")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw MissingMPI()
    }

    /// 128 sentences: two batches of 64.
    static func corpus() throws -> URL {
        let text = try String(contentsOf: TestPaths.dataFile("wiki/wiki-6400.txt"), encoding: .utf8)
        return try TestPaths.write(text.split(separator: "\n").prefix(128).joined(separator: "\n") + "\n", named: "corpus.txt")
    }

    struct Step: Decodable {
        let step: Int
        let loss: Double
        let grad_norm: Double
    }

    /// The training steps of a run's `metrics.jsonl`.
    func steps(_ run: URL) throws -> [Step] {
        try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONDecoder().decode(Step.self, from: Data($0.utf8)) }
    }

    /// The largest absolute difference between the saved models' weights.
    func weightDifference(_ a: URL, _ b: URL, ignoring ignored: (String) -> Bool = { _ in false }) throws -> Float {
        let x = try SafeTensorsFile(path: a.appendingPathComponent("model.safetensors").path).allTensors()
        let y = try SafeTensorsFile(path: b.appendingPathComponent("model.safetensors").path).allTensors()
        #expect(x.keys.sorted() == y.keys.sorted() && !x.isEmpty)
        return x.filter { !ignored($0.key) }.map { name, t in zip(t.scalars, y[name]!.scalars).map { abs($0 - $1) }.max() ?? 0 }.max() ?? .infinity
    }

    /// Trains `arguments` in one process with batch 2 × `batch` and on two processes with batch
    /// `batch` (plus `distributedExtra`); returns both run folders and the two-process run's output.
    /// Text methods train a tiny encoder on 128 sentences, or on `textData` (its flags) when given.
    func trainBothWays(_ arguments: [String], batch: Int = 32, distributedExtra: [String] = [], textData: [String]? = nil) throws
        -> (single: URL, distributed: URL, outcome: CommandLineTests.Outcome) {
        let mpirun = try Self.mpirun()
        let folder = try TestPaths.temporaryDirectory()
        let single = folder.appendingPathComponent("single"), distributed = folder.appendingPathComponent("distributed")
        let text = ["simcse", "esimcse", "cert"].contains(arguments[0])
        let data = text ? ["--init", "tiny"] + (try textData ?? ["--corpus", try Self.corpus().path]) + ["--max-length", "24", "--lr", "1e-4"] : []
        let common = ["train"] + arguments + data + ["--json"]
        let one = try runner.run(common + ["--output", single.path, "--batch-size", "\(2 * batch)", "--quiet"], environment: Self.environment)
        #expect(one.status == 0, "\(one.stderr)")
        let two = try runner.run(["-np", "2", "--oversubscribe", "-x", "OMP_NUM_THREADS", CommandLineTests.executable.path]
                                 + common + ["--output", distributed.path, "--batch-size", "\(batch)"] + distributedExtra,
                                 executable: mpirun, environment: Self.environment)
        #expect(two.status == 0, "\(two.stderr)")
        return (single, distributed, two)
    }

    func expectSameSteps(_ single: URL, _ distributed: URL, count: Int) throws {
        let a = try steps(single), b = try steps(distributed)
        #expect(a.count == count && b.count == count)
        for (x, y) in zip(a, b) {
            #expect(abs(x.loss - y.loss) <= 1e-5 * abs(x.loss), "step \(x.step): loss \(x.loss) vs \(y.loss)")
            #expect(abs(x.grad_norm - y.grad_norm) <= 1e-5 * x.grad_norm, "step \(x.step): gradient norm \(x.grad_norm) vs \(y.grad_norm)")
        }
    }

    /// SimCSE with its MLP head: one step, the acceptance case of data parallelism.
    @Test func simcseOneStepOnTwoProcesses() throws {
        let (single, distributed, outcome) = try trainBothWays(["simcse", "--max-steps", "1", "--pooling", "cls"])
        try expectSameSteps(single, distributed, count: 1)
        let difference = try weightDifference(single, distributed)
        #expect(difference <= 1e-5, "weights differ by \(difference) after one step")
        // Process 0 alone reports: one summary on stderr, one JSON line on stdout.
        #expect(outcome.stderr.components(separatedBy: "trained 1 steps").count == 2, "\(outcome.stderr)")
        #expect(outcome.stdout.split(separator: "\n").count == 1, "\(outcome.stdout)")
    }

    /// ESimCSE over two steps, the two processes also caching gradients in chunks of 16: the
    /// second step's loss reads the queue of keys gathered from both processes at the first.
    @Test func esimcseQueueAndGradientCacheOnTwoProcesses() throws {
        let (single, distributed, _) = try trainBothWays(["esimcse", "--max-steps", "2", "--queue-size", "64", "--quiet"],
                                                         distributedExtra: ["--grad-cache-chunk", "16"])
        try expectSameSteps(single, distributed, count: 2)
        let difference = try weightDifference(single, distributed)
        #expect(difference <= 1e-5, "weights differ by \(difference) after two steps")
    }

    /// Supervised SimCSE on mined n-tuples (three hard negatives per anchor) over two steps, the
    /// two processes also caching gradients in chunks of 24 rows. With SimCSE's `cls` pooling (and
    /// its MLP) as the acceptance case: with mean pooling the losses and gradient norms agree as
    /// well, but one LayerNorm bias element of this tiny model gets a gradient near 0, which
    /// AdamW's first steps move by lr·g/(|g| + ε), so rounding alone moves it by 1.2e-5.
    @Test func simcseTuplesOnTwoProcesses() throws {
        let lines = try String(contentsOf: TestPaths.dataFile("wiki/wiki-6400.txt"), encoding: .utf8).split(separator: "\n").prefix(128).map(String.init)
        let rows: [[String]] = (0..<128).map { i in
            let negatives: [String] = (1...3).map { lines[(i + 40 * $0) % 128] }
            return [lines[i], lines[(i + 1) % 128]] + negatives
        }
        let file = TestPaths.temporaryPath("mined.csv")
        try DelimitedFile.write([["anchor", "positive", "negative_1", "negative_2", "negative_3"]] + rows, to: file, format: .csv)
        let (single, distributed, _) = try trainBothWays(["simcse", "--max-steps", "2", "--pooling", "cls", "--quiet"], batch: 16,
                                                         distributedExtra: ["--grad-cache-chunk", "24"], textData: ["--triplets", file.path])
        try expectSameSteps(single, distributed, count: 2)
        let difference = try weightDifference(single, distributed)
        #expect(difference <= 1e-5, "weights differ by \(difference) after two steps")
    }

    /// CERT's MoCo-style stage over two steps: augmented views on every process from the same
    /// step stream, keys of both processes in the queue.
    @Test func certOnTwoProcesses() throws {
        let (single, distributed, _) = try trainBothWays(["cert", "--max-steps", "2", "--queue-size", "64", "--augment", "deletion", "--quiet"])
        try expectSameSteps(single, distributed, count: 2)
        let difference = try weightDifference(single, distributed)
        #expect(difference <= 1e-5, "weights differ by \(difference) after two steps")
    }

    /// ALIGN has no batch statistics: two processes of 8 image-caption pairs train as one of 16,
    /// both directions of the contrastive loss seeing every process's embeddings.
    @Test func alignOnTwoProcesses() throws {
        // Without a validation split: the same training images as before it existed, whose steps
        // were measured equal within 1e-5 (the held-out share moves which images meet in a batch).
        let (single, distributed, _) = try trainBothWays(["align", "--dataset", "shapes", "--max-steps", "2", "--lr", "1e-4",
                                                          "--validation-fraction", "0", "--quiet"], batch: 8)
        try expectSameSteps(single, distributed, count: 2)
        // Attention's key biases are left out: they add the same q·b to every score of a row, which
        // softmax ignores, so their gradient is zero but for rounding, and Adam turns rounding noise
        // into steps of about the learning rate, in either direction (at ALIGN's initial logit scale
        // of 100 the noise is above Adam's epsilon).
        let difference = try weightDifference(single, distributed) { $0.hasSuffix("attention.key.bias") }
        #expect(difference <= 1e-5, "weights differ by \(difference) after two steps")
    }

    /// Methods with BatchNorm (SimCLR, MoCo, VLMo's projections) and ALBEF (losses per share):
    /// what holds on two processes is a complete run written once by process 0, every step
    /// finite, and losses close to one process's on the same batches (the same data, weights and
    /// augmentations; only the normalisation statistics, or ALBEF's negatives, differ).
    @Test(arguments: [["simclr", "--dataset", "shapes", "--max-steps", "2"], ["moco", "--dataset", "shapes", "--max-steps", "2", "--queue-size", "64"],
                      ["vlmo", "--dataset", "shapes", "--max-steps", "2"],
                      ["albef", "--max-steps", "2", "--train-count", "64", "--test-count", "0", "--queue-size", "32"]])
    func batchStatisticsMethodsOnTwoProcesses(arguments: [String]) throws {
        let (single, distributed, outcome) = try trainBothWays(arguments + ["--quiet"], batch: 8)
        #expect(outcome.stdout.split(separator: "\n").count == 1, "\(outcome.stdout)")
        let a = try steps(single), b = try steps(distributed)
        #expect(a.count == b.count && !b.isEmpty && b.allSatisfy { $0.loss.isFinite && $0.grad_norm.isFinite })
        // The mean loss over the run; measured: SimCLR 0.4%, MoCo 1%, ALBEF 3.8%, VLMo 4.7% apart
        // (single steps up to 16%, VLMo's small image-only losses moving most with BatchNorm's statistics).
        let (x, y) = (a.map(\.loss).reduce(0, +), b.map(\.loss).reduce(0, +))
        #expect(abs(x - y) <= 0.1 * abs(x), "summed loss \(x) on one process, \(y) on two")
        #expect(FileManager.default.fileExists(atPath: distributed.appendingPathComponent("model.safetensors").path))
    }
}
