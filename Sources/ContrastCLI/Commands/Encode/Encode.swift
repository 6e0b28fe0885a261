import ArgumentParser
import Foundation
import Models
import Tensors
import Evaluation
import Text

/// `contrast encode`: sentence embeddings for a file of sentences.
struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Embed one sentence per line with a model folder.",
        discussion: """
            The output format follows the extension: .jsonl writes {"text": ..., "embedding": [...]} per line \
            in input order; .npy writes a float32 matrix [sentences, dimensions]. Empty input lines are \
            skipped and counted. --input - reads standard input; --output - writes JSON lines to standard output.
            """)

    @Option(help: "Model folder (Hugging Face / sentence-transformers layout).") var model: String
    @Option(help: "Text file, one sentence per line (-: standard input).") var input: String
    @Option(help: "Output file: .jsonl or .npy (-: JSON lines on standard output).") var output: String
    @Option(help: "Pooling (default: the model folder's own): \(PoolingMode.allCases.map(\.rawValue).joined(separator: ", ")).")
    var pooling: PoolingMode?
    @Flag(help: "L2-normalise the embeddings (on by default when the model folder says so).") var normalize = false
    @Option(name: .customLong("batch-size"), help: "Sentences per batch.") var batchSize = 64
    @Option(help: "Precision of matrix products: fp32 or bf16.") var precision: MatmulPrecision = .fp32
    @Option(name: .customLong("max-length"), help: "Longest token sequence (default: the model folder's).") var maxLength: Int?
    @Flag(help: "No progress output.") var quiet = false
    @Flag(help: "Print one JSON summary as the last line of stdout.") var json = false

    enum OutputFormat { case jsonl, npy }

    var outputFormat: OutputFormat? {
        switch output == "-" ? "jsonl" : URL(fileURLWithPath: output).pathExtension.lowercased() {
        case "jsonl": .jsonl
        case "npy": .npy
        default: nil
        }
    }

    func validate() throws {
        guard outputFormat != nil else { throw ValidationError("--output must end in .jsonl or .npy (or be -), got '\(output)'") }
        if json && output == "-" { throw ValidationError("--json with --output -: standard output already holds the embeddings") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        if let maxLength, maxLength < 2 { throw ValidationError("--max-length must be at least 2") }
    }

    func run() throws {
        try withMatmulPrecision(precision) { try encodeAndReport() }
    }

    private func encodeAndReport() throws {
        // Before the (long) encoding: the folder the output goes into must exist.
        if output != "-" { try OutputFile.checkFolder(of: URL(fileURLWithPath: output)) }
        let encoder = try SentenceEncoder(directory: URL(fileURLWithPath: model), pooling: pooling)
        if normalize { encoder.pooling.normalize = true }
        if let maxLength { encoder.maxLength = min(maxLength, encoder.model.maxTokens) }
        let inputFile = input == "-" ? TextFile.standardInput : URL(fileURLWithPath: input)
        let corpus = try PlainCorpus.read(inputFile)
        if corpus.skippedEmptyLines > 0 { Report.info("skipped \(corpus.skippedEmptyLines) empty lines") }
        let sentences = corpus.examples
        guard !sentences.isEmpty else { throw CLIError.data("\(input == "-" ? "<stdin>" : input): no sentences to encode (\(corpus.skippedEmptyLines) empty lines)") }
        let progress = ProgressBar(total: sentences.count, label: "encode", unit: "sentences", quiet: quiet)
        let embeddings = encoder.encode(sentences, batchSize: batchSize) { progress.update(done: $0) }
        progress.finish()
        let url = URL(fileURLWithPath: output)
        switch outputFormat! {
        case .npy: try NumPyFile.write(embeddings, to: url)
        case .jsonl where output == "-": FileHandle.standardOutput.write(try jsonLines(sentences, embeddings))
        case .jsonl: try jsonLines(sentences, embeddings).write(to: url, options: .atomic)
        }
        if !quiet { Report.info("wrote \(sentences.count) embeddings of dimension \(embeddings.shape[1]) to \(output == "-" ? "standard output" : output)") }
        if json {
            struct Summary: Encodable { let sentences: Int, dimensions: Int, skipped_empty_lines: Int, output: String }
            try Report.json(Summary(sentences: sentences.count, dimensions: embeddings.shape[1], skipped_empty_lines: corpus.skippedEmptyLines,
                                    output: url.path))
        }
    }

    /// One `{"text": ..., "embedding": [...]}` line per sentence.
    func jsonLines(_ sentences: [String], _ embeddings: Tensor) throws -> Data {
        let d = embeddings.shape[1]
        let values = embeddings.scalars
        var text = ""
        let encoder = JSONEncoder()
        for (i, sentence) in sentences.enumerated() {
            struct Line: Encodable { let text: String; let embedding: [Float] }
            let line = try encoder.encode(Line(text: sentence, embedding: Array(values[(i * d)..<((i + 1) * d)])))
            text += String(decoding: line, as: UTF8.self) + "\n"
        }
        return Data(text.utf8)
    }
}

extension PoolingMode: ExpressibleByArgument {}

/// NumPy's `.npy` format (version 1.0) for float32 matrices.
enum NumPyFile {
    static func write(_ tensor: Tensor, to url: URL) throws {
        let shape = tensor.shape.map(String.init).joined(separator: ", ") + (tensor.rank == 1 ? "," : "")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(shape)), }"
        // Magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64, ending in \n.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        tensor.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: UInt8.self), count: $0.count * 4)) }
        try data.write(to: url, options: .atomic)
    }
}
extension MatmulPrecision: ExpressibleByArgument {}
extension STSFileFormat: ExpressibleByArgument {}
