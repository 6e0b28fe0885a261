import ArgumentParser
import Foundation
import Models
import Tensors
import Evaluation
import Text
import Vision

/// `contrast encode`: embeddings of a file of sentences, or of images with an image-text model.
struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Embed one sentence per line, or images, with a model folder.",
        discussion: """
            The output format follows the extension: .jsonl writes {"text": ..., "embedding": [...]} per line \
            in input order ({"image": path, ...} for images); .npy writes a float32 matrix [inputs, dimensions]. Empty input \
            lines are skipped and counted. --input - reads standard input; --output - writes JSON lines to standard output. \
            An image-text model (a Hugging Face CLIP folder, or one contrast train align|vlmo|albef wrote) embeds sentences \
            with its text tower and --images with its image tower, in one space. --precision int8 writes int8 codes \
            (.npy int8), each dimension's range cut into 256 buckets between its minimum and maximum over --calibration's \
            embeddings (default: the inputs' own), as sentence-transformers' quantize_embeddings. --calibration also takes \
            saved ranges: a .npy float32 array of shape (2, dimensions), minimum row then maximum row, as --save-ranges \
            writes them (sentence-transformers' ranges), so that queries encoded later fall into the corpus's buckets. \
            --precision binary writes \
            the signs packed 8 dimensions to a byte (.npy uint8, ceil(d/8) columns, first dimension in the highest bit, \
            sentence-transformers' ubinary).
            """)

    @Option(help: "Model folder (Hugging Face / sentence-transformers layout, or an image-text model).") var model: String
    @Option(help: "Text file, one sentence per line (-: standard input; default: none, then --images).") var input: String?
    @Option(help: "Images to embed with an image-text model: a folder of .png/.jpg files, or a text file listing image paths one per line, relative to its folder (default: none).")
    var images: String?
    @Option(help: "Output file: .jsonl or .npy (-: JSON lines on standard output).") var output: String
    @Option(help: "Pooling (default: the model folder's own): \(PoolingMode.allCases.map(\.rawValue).joined(separator: ", ")).")
    var pooling: PoolingMode?
    @Flag(help: "L2-normalise the embeddings (on by default when the model folder says so; an image-text model's always are).") var normalize = false
    @Option(name: .customLong("batch-size"), help: "Sentences or images per batch.") var batchSize = 64
    @Option(help: "\(ComputeOrStorePrecision.help)") var precision: ComputeOrStorePrecision = .fp32
    @Option(help: "With --precision int8: sentences, one per line, whose embeddings give each dimension's range, or a .npy file of ranges --save-ranges wrote (default: the inputs' own).")
    var calibration: String?
    @Option(name: .customLong("save-ranges"), help: "With --precision int8: also write the ranges used to this .npy file (float32, shape (2, dimensions)), for --calibration of later runs (default: none).")
    var saveRanges: String?
    @Option(name: .customLong("truncate-dim"), help: "Keep the embeddings' first N dimensions, re-normalised when the model normalises (default: all).")
    var truncateDim: Int?
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
        if (input == nil) == (images == nil) { throw ValidationError("give --input (sentences) or --images, one of them") }
        guard outputFormat != nil else { throw ValidationError("--output must end in .jsonl or .npy (or be -), got '\(output)'") }
        if json && output == "-" { throw ValidationError("--json with --output -: standard output already holds the embeddings") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        if let maxLength, maxLength < 2 { throw ValidationError("--max-length must be at least 2") }
        if images != nil && (pooling != nil || maxLength != nil || truncateDim != nil) {
            throw ValidationError("--pooling, --max-length and --truncate-dim apply to sentences, not --images")
        }
        if let truncateDim, truncateDim < 1 { throw ValidationError("--truncate-dim must be at least 1") }
        if calibration != nil && precision != .int8 { throw ValidationError("--calibration sets int8 ranges: it needs --precision int8") }
        if let saveRanges {
            guard precision == .int8 else { throw ValidationError("--save-ranges writes int8 ranges: it needs --precision int8") }
            guard saveRanges.lowercased().hasSuffix(".npy") else { throw ValidationError("--save-ranges must end in .npy, got '\(saveRanges)'") }
            guard URL(fileURLWithPath: saveRanges).standardizedFileURL != URL(fileURLWithPath: output).standardizedFileURL else {
                throw ValidationError("--save-ranges and --output name the same file")
            }
        }
    }

    func run() throws {
        try withMatmulPrecision(precision.products) { try encodeAndReport() }
    }

    /// What was embedded, for the output and the summary.
    private enum Inputs {
        case sentences([String], skippedEmptyLines: Int)
        case images(ImageFileList)

        var count: Int {
            switch self {
            case .sentences(let sentences, _): sentences.count
            case .images(let list): list.entries.count
            }
        }
    }

    private func encodeAndReport() throws {
        // Before the (long) encoding: the folder the output goes into must exist.
        let outputFile = URL(fileURLWithPath: output)
        if output != "-" { try OutputFile.checkFolder(of: outputFile) }
        if let saveRanges { try OutputFile.checkFolder(of: URL(fileURLWithPath: saveRanges)) }
        let modelFolder = URL(fileURLWithPath: model)
        let imageText = try ModelFolderKind.of(modelFolder) == .imageText
        if !imageText && images != nil {
            throw CLIError.usage("--images: \(model) is not an image-text model; images need one, such as a CLIP folder (a sentence encoder embeds --input)")
        }
        // Saved ranges are read before the (long) encoding, so that a bad file fails first.
        let savedRanges = try calibration.flatMap { file in
            file.lowercased().hasSuffix(".npy")
                ? try Int8Calibration(ranges: NumPyMatrix(contentsOf: URL(fileURLWithPath: file)), source: file) : nil
        }
        if imageText && calibration != nil && savedRanges == nil {
            throw CLIError.usage("--calibration: \(model) is an image-text model; give saved ranges (.npy), or its int8 ranges come from the embeddings written")
        }
        let inputs: Inputs
        if let images {
            inputs = .images(try ImageFileList(contentsOf: URL(fileURLWithPath: images)))
        } else {
            let corpus = try PlainCorpus.read(input == "-" ? TextFile.standardInput : URL(fileURLWithPath: input!))
            if corpus.skippedEmptyLines > 0 { Report.info("skipped \(corpus.skippedEmptyLines) empty lines") }
            guard !corpus.examples.isEmpty else {
                throw CLIError.data("\(input == "-" ? "<stdin>" : input!): no sentences to encode (\(corpus.skippedEmptyLines) empty lines)")
            }
            inputs = .sentences(corpus.examples, skippedEmptyLines: corpus.skippedEmptyLines)
        }
        // The embeddings given a progress callback (done so far).
        let embed: (_ progress: @escaping (Int) -> Void) throws -> Tensor
        // --calibration's sentences and the encoder that embeds them.
        var calibrationSentences: ([String], Models.SentenceEncoder)?
        switch inputs {
        case .sentences(let sentences, _) where !imageText:
            let encoder = try sentenceEncoder(modelFolder)
            embed = { encoder.encode(sentences, batchSize: batchSize, progress: $0) }
            if let calibration, savedRanges == nil {
                let corpus = try PlainCorpus.read(URL(fileURLWithPath: calibration))
                guard !corpus.examples.isEmpty else { throw CLIError.data("\(calibration): no sentences to calibrate int8 ranges on") }
                calibrationSentences = (corpus.examples, encoder)
            }
        case .sentences(let sentences, _):
            let encoder = try imageTextModel(modelFolder)
            embed = { try inBatches(of: sentences.count, progress: $0) { encoder.encodeTexts(Array(sentences[$0])) } }
        case .images(let list):
            let encoder = try imageTextModel(modelFolder)
            embed = { try inBatches(of: list.entries.count, progress: $0) { encoder.encodeImages(try list.images($0)) } }
        }
        let progress = ProgressBar(total: inputs.count, label: "encode", unit: images == nil ? "sentences" : "images", quiet: quiet)
        let embeddings = try embed { progress.update(done: $0) }
        progress.finish()
        let ranges = precision == .int8
            ? savedRanges ?? calibrationSentences.map { Int8Calibration($1.encode($0, batchSize: batchSize)) } ?? Int8Calibration(embeddings) : nil
        if let ranges, ranges.dimensions != embeddings.shape[1] {
            throw CLIError.data("\(calibration!): ranges of \(ranges.dimensions) dimensions for embeddings of \(embeddings.shape[1])")
        }
        let stored = NumPyMatrix(embeddings, precision: precision.embeddings, calibration: ranges)
        switch outputFormat! {
        case .npy: try stored.data.write(to: outputFile, options: .atomic)
        case .jsonl where output == "-": FileHandle.standardOutput.write(try jsonLines(inputs, stored))
        case .jsonl: try jsonLines(inputs, stored).write(to: outputFile, options: .atomic)
        }
        if let saveRanges, let ranges { try ranges.ranges.data.write(to: URL(fileURLWithPath: saveRanges), options: .atomic) }
        if !quiet { Report.info("wrote \(inputs.count) embeddings of dimension \(embeddings.shape[1]) to \(output == "-" ? "standard output" : output)") }
        if json {
            struct Summary: Encodable {
                let sentences: Int?, images: Int?, dimensions: Int, skipped_empty_lines: Int?, precision: String, bytes_per_vector: Int, output: String, ranges: String?
            }
            let bytes = precision.embeddings.bytesPerVector(dimensions: embeddings.shape[1])
            switch inputs {
            case .sentences(let sentences, let skipped):
                try Report.json(Summary(sentences: sentences.count, images: nil, dimensions: embeddings.shape[1], skipped_empty_lines: skipped,
                                        precision: precision.embeddings.rawValue, bytes_per_vector: bytes, output: outputFile.path,
                                        ranges: saveRanges.map { URL(fileURLWithPath: $0).path }))
            case .images(let list):
                try Report.json(Summary(sentences: nil, images: list.entries.count, dimensions: embeddings.shape[1], skipped_empty_lines: nil,
                                        precision: precision.embeddings.rawValue, bytes_per_vector: bytes, output: outputFile.path,
                                        ranges: saveRanges.map { URL(fileURLWithPath: $0).path }))
            }
        }
    }

    /// The sentence encoder of `folder` with the flags' pooling and length.
    private func sentenceEncoder(_ folder: URL) throws -> SentenceEncoder {
        let encoder = try SentenceEncoder(directory: folder, pooling: pooling)
        if normalize { encoder.pooling.normalize = true }
        if let maxLength { encoder.maxLength = min(maxLength, encoder.model.maxTokens) }
        try encoder.truncate(to: truncateDim)
        return encoder
    }

    /// The image-text model of `folder` (its embeddings are normalised and pooled its own way;
    /// CLIP's captions can be shortened).
    private func imageTextModel(_ folder: URL) throws -> any ImageTextModel {
        if pooling != nil { throw CLIError.usage("--pooling: \(model) is an image-text model, whose embeddings have their own pooling") }
        let encoder = try ImageTextModelFolder.load(folder)
        if let maxLength {
            guard let clip = encoder as? CLIPImageTextModel else {
                throw CLIError.usage("--max-length: the \(type(of: encoder).method) model's captions keep the length it was trained with")
            }
            clip.maxLength = min(maxLength, clip.maxLength)
        }
        return encoder
    }

    /// The rows `embed` gives for `0..<count` in batches of `--batch-size`, concatenated, with the
    /// count done after each batch.
    private func inBatches(of count: Int, progress: (Int) -> Void, _ embed: (Range<Int>) throws -> Tensor) throws -> Tensor {
        var parts: [Tensor] = []
        for start in stride(from: 0, to: count, by: batchSize) {
            let range = start..<min(start + batchSize, count)
            parts.append(try embed(range))
            progress(range.upperBound)
        }
        return parts.count == 1 ? parts[0] : Tensor.concat(parts, axis: 0)
    }

    /// One `{"embedding": [...], "text": ...}` (or `"image": path`) line per input, keys sorted so
    /// that runs compare byte for byte; int8 codes and packed bytes as integers.
    private func jsonLines(_ inputs: Inputs, _ embeddings: NumPyMatrix) throws -> Data {
        var text = ""
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for i in 0..<inputs.count {
            struct Line: Encodable { let text: String?, image: String?, embedding: NumPyMatrix.JSONRow }
            let row = embeddings.jsonRow(i)
            let line = switch inputs {
            case .sentences(let sentences, _): Line(text: sentences[i], image: nil, embedding: row)
            case .images(let list): Line(text: nil, image: list.entries[i].file.standardizedFileURL.path, embedding: row)
            }
            text += String(decoding: try encoder.encode(line), as: UTF8.self) + "\n"
        }
        return Data(text.utf8)
    }
}

extension PoolingMode: ExpressibleByArgument {}

extension NumPyMatrix {
    /// `embeddings` (`[n, d]`) as a command writes them at `precision`: float32, int8 codes (with
    /// `calibration`'s ranges, by default their own) or sign bits packed 8 to a byte (uint8).
    init(_ embeddings: Tensor, precision: EmbeddingPrecision, calibration: Int8Calibration? = nil) {
        let (rows, d) = (embeddings.shape[0], embeddings.shape[1])
        switch precision {
        case .float32:
            self.init(rows: rows, columns: d, values: .float32(embeddings.scalars))
        case .int8:
            self.init(rows: rows, columns: d, values: .int8((calibration ?? Int8Calibration(embeddings)).codes(embeddings)))
        case .binary:
            self.init(rows: rows, columns: BinaryCodes.bytesPerRow(dimensions: d), values: .uint8(BinaryCodes.pack(embeddings)))
        }
    }

    /// Row `i` as a JSON array of numbers: floats, or int8 codes and packed bytes as integers.
    func jsonRow(_ i: Int) -> JSONRow {
        let range = (i * columns)..<((i + 1) * columns)
        switch values {
        case .float32(let v): return .floats(v[range])
        case .int8(let v): return .integers(v[range].map(Int.init))
        case .uint8(let v): return .integers(v[range].map(Int.init))
        }
    }

    /// One row, encoded as a JSON array of numbers.
    enum JSONRow: Encodable {
        case floats(ArraySlice<Float>)
        case integers([Int])

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .floats(let values): try container.encode(Array(values))
            case .integers(let values): try container.encode(values)
            }
        }
    }
}
extension MatmulPrecision: ExpressibleByArgument {}
extension STSFileFormat: ExpressibleByArgument {}
