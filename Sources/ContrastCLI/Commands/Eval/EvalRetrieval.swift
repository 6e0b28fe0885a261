import ArgumentParser
import Foundation
import Methods

/// `contrast eval retrieval`: image-text retrieval recall of an image-text model folder.
struct EvalRetrieval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieval",
        abstract: "Image-text retrieval: recall at 1, 5 and 10, text-to-image and image-to-text.",
        discussion: "With --rerank itm (ALBEF), the ITM head re-ranks each query's best --rerank-depth candidates; ITC-only recall is reported alongside.")

    @Option(help: "Image-text model folder (image_text_config.json names its method).") var model: String
    @Option(help: "shapes or a caption file.") var dataset = "shapes"
    @Option(help: "Shapes split: train or test.") var split = "test"
    @Option(help: "Shapes images (default 500 for test, 4000 for train).") var count: Int?
    @Option(help: "Re-ranking: none or itm.") var rerank = "none"
    @Option(name: .customLong("rerank-depth"), help: "Candidates per query the re-ranker sees.") var rerankDepth = 16
    @Flag(help: "No progress output.") var quiet = false
    @Flag(help: "Print one JSON object as the last line of stdout.") var json = false

    func validate() throws {
        guard ["none", "itm"].contains(rerank) else { throw ValidationError("--rerank must be none or itm") }
        guard rerankDepth > 0 else { throw ValidationError("--rerank-depth must be positive") }
        if let count, count <= 0 { throw ValidationError("--count must be positive") }
    }

    func run() throws {
        let loaded: any ImageTextModel
        do { loaded = try ImageTextModelFolder.load(URL(fileURLWithPath: model)) } catch { throw CLIError.data("\(error)") }
        guard let albef = loaded as? ALBEF else {
            throw CLIError.usage("eval retrieval evaluates ALBEF folders; \(model) holds another method")
        }
        let data = try ImageTextData.load(dataset, split: split, count: count, size: albef.configuration.imageSize)
        let metrics = ALBEFRetrievalReport.evaluate(albef, on: data, depth: rerankDepth, rerank: rerank == "itm", quiet: quiet)
        ALBEFRetrievalReport.lines(metrics).forEach { Report.info("\(dataset): " + $0) }
        if json { try Report.json(metrics) }
    }
}
