import ArgumentParser
import Evaluation
import Foundation
import Methods
import Models
import Text

/// `contrast demo`: unsupervised SimCSE on sentences that ship with the repository, with STS-B dev
/// before and after.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train unsupervised SimCSE from all-MiniLM-L6-v2 on bundled Wikipedia sentences and show STS-B dev before and after.",
        discussion: """
            The reference recipe (SimCSE's defaults on a small corpus): batch 64, max length 32, lr 3e-5 constant, \
            AdamW without weight decay, temperature 0.05, pooling cls_before_pooler in training and evaluation. \
            It reports STS-B dev Spearman with alignment and uniformity (Wang & Isola 2020) before and after. \
            `make demo` fetches the model first when it is missing.
            """)

    @Option(help: "Pretrained model folder.") var model = "models/all-MiniLM-L6-v2"
    @Option(help: "Training sentences, one per line.") var corpus = "data/wiki/wiki-6400.txt"
    @Option(name: .customLong("eval-data"), help: "STS-B file evaluated before and after.") var evalData = "data/stsb/sts-dev.csv"
    @Option(name: .customLong("max-steps"), help: "Training steps of 64 sentences.") var steps = 60
    @Option(help: "Run folder: the trained model and its metrics.") var output = "runs/demo"
    @Flag(help: "Replace an earlier run in --output once this one is complete (make demo passes it).") var overwrite = false
    @Option(help: "Random seed: dropout and data order.") var seed: UInt64 = 42
    @Flag(help: "No progress bars (the before/after table is still printed).") var quiet = false
    @Flag(help: "Print one JSON summary as the last line of stdout.") var json = false

    func validate() throws {
        guard steps > 0 else { throw ValidationError("--max-steps must be positive") }
    }

    func run() throws {
        let destination = URL(fileURLWithPath: output), intent = try RunFolder.intent(overwrite: overwrite, resume: false)
        try RunFolder.check(destination, intent: intent)
        let modelURL = URL(fileURLWithPath: model)
        guard FileManager.default.fileExists(atPath: modelURL.appendingPathComponent("model.safetensors").path) else {
            throw CLIError.data("\(model): no pretrained model here; run scripts/fetch-model.sh (make demo does) or pass --model DIR")
        }
        let started = ContinuousClock.now
        var c = TrainingSettings()
        c.maxSteps = steps
        c.batchSize = 64
        c.maxLength = 32
        c.learningRate = 3e-5
        c.schedule = .constant
        c.weightDecay = 0
        c.maxGradientNorm = nil
        c.temperature = 0.05
        c.pooling = .clsBeforePooler
        c.seed = seed
        let encoder = try Models.SentenceEncoder(directory: modelURL, pooling: .clsBeforePooler, dropoutSeed: seed)
        let evaluator = try STSEvaluator(reading: URL(fileURLWithPath: evalData), format: .stsb)
        let corpusData = try PlainCorpus.read(URL(fileURLWithPath: corpus))
        Report.info("all-MiniLM-L6-v2, unsupervised SimCSE on \(corpusData.examples.count) sentences of \(corpus): \(steps) steps of 64, "
            + "STS-B dev (\(evaluator.pairs.count) pairs) with pooling cls_before_pooler")

        func evaluate(_ label: String) throws -> STSResult {
            let bar = ProgressBar(total: evaluator.distinct.sentences.count, label: "eval \(label)", unit: "sentences", quiet: quiet)
            defer { bar.finish() }
            return try evaluator.run({ encoder.encode($0, batchSize: 64) }, progress: { done, _ in bar.update(done: done) })
        }
        let before = try evaluate("before")
        let run = try RunFolder.open(destination, intent: intent, command: "demo")
        let trainer = try Trainer(text: SimCSE(encoder: encoder, configuration: c), configuration: c,
                                      examples: corpusData.examples.map { TextExample(anchor: $0) }, output: run.directory)
        let bar = ProgressBar(total: trainer.totalSteps, label: "train simcse", unit: "steps", quiet: quiet)
        trainer.onEvent = { event in
            if case .step(let s) = event {
                bar.update(done: s.step, detail: "loss \(Format.fixed(Double(s.loss), 4))  \(Format.fixed(s.examplesPerSecond, 1)) sent/s")
            }
        }
        try trainer.train()
        bar.finish()
        let after = try evaluate("after")
        try run.complete()
        let seconds = (ContinuousClock.now - started).seconds
        func row(_ name: String, _ r: STSResult) -> String {
            "\(name)  Spearman \(Format.fixed(r.spearman, 2))  alignment \(Format.fixed(r.alignment ?? .nan, 4))  uniformity \(Format.fixed(r.uniformity ?? .nan, 4))"
        }
        Report.result(json: json, "STS-B dev (cls_before_pooler)")
        Report.result(json: json, row("before", before))
        Report.result(json: json, row("after ", after))
        Report.result(json: json, "Spearman \(after.spearman >= before.spearman ? "+" : "")\(Format.fixed(after.spearman - before.spearman, 2)) in \(Format.fixed(seconds, 0)) s; trained model in \(output)")
        if json {
            struct Summary: Encodable {
                let spearman_before, spearman_after: Double
                let alignment_before, alignment_after, uniformity_before, uniformity_after: Double?
                let steps: Int, seconds: Double, output: String
            }
            try Report.json(Summary(spearman_before: before.spearman, spearman_after: after.spearman, alignment_before: before.alignment,
                                    alignment_after: after.alignment, uniformity_before: before.uniformity, uniformity_after: after.uniformity,
                                    steps: steps, seconds: seconds, output: destination.path))
        }
    }
}
