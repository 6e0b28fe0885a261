import Foundation
import Models
import TestSupport
import Testing
import Vision

/// A Hugging Face CLIP folder through `contrast encode`, `eval zeroshot`, `eval retrieval` and
/// `train align --model`, on the reference checkpoint (Tests/Fixtures/families/clip).
@Suite struct CLIPCommandTests {
    let cli = CommandLineTests()

    static func clip() throws -> URL { try TestPaths.fixture("families/clip/config.json").deletingLastPathComponent() }

    /// An image of `height x width` in one colour with a stripe that differs with `seed`.
    static func image(height: Int, width: Int, colour: [Float], seed: Int) -> Image {
        let plane = height * width
        return Image(channels: 3, height: height, width: width, pixels: (0..<(3 * plane)).map { index in
            let (c, p) = (index / plane, index % plane)
            return (p / width + seed) % 7 == 0 ? Float((seed * 40 + c * 90) % 256) / 255 : colour[c]
        })
    }

    /// `count` PNG images of several sizes in `images/` of `folder` (a fresh one by default) and
    /// `captions.jsonl` captioning each; returns the folder.
    @discardableResult
    static func captionFolder(count: Int = 16, in folder: URL? = nil) throws -> URL {
        let folder = try folder ?? TestPaths.temporaryDirectory()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("images"), withIntermediateDirectories: true)
        var lines: [String] = []
        let colours: [(String, [Float])] = [("red", [0.9, 0.1, 0.1]), ("green", [0.1, 0.8, 0.2]), ("blue", [0.1, 0.2, 0.9]), ("gray", [0.5, 0.5, 0.5])]
        for index in 0..<count {
            let (name, colour) = colours[index % colours.count]
            try image(height: 30 + index, width: 40 - index % 5, colour: colour, seed: index).writePNG(to: folder.appendingPathComponent("images/\(index).png"))
            lines.append(#"{"image": "images/\#(index).png", "caption": "a \#(name) picture with stripe \#(index)"}"#)
        }
        try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("captions.jsonl"), atomically: true, encoding: .utf8)
        return folder
    }

    /// Two classes of four images each in the ImageFolder layout.
    static func imageFolder() throws -> URL {
        let root = try TestPaths.temporaryDirectory().appendingPathComponent("classes")
        for (name, colour) in [("red_thing", [Float(0.9), 0.1, 0.1]), ("blue_thing", [0.1, 0.2, 0.9])] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(name), withIntermediateDirectories: true)
            for index in 0..<4 {
                try image(height: 36 + index, width: 32, colour: colour, seed: index).writePNG(to: root.appendingPathComponent("\(name)/\(index).png"))
            }
        }
        return root
    }

    func lastJSON(_ outcome: CommandLineTests.Outcome) throws -> [String: Any] {
        let line = try #require(outcome.stdout.split(separator: "\n").last, "stdout: \(outcome.stdout) stderr: \(outcome.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    func jsonLines(_ file: URL) throws -> [[String: Any]] {
        try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    // MARK: encode

    @Test func encodeEmbedsSentencesAndImagesWithCLIP() throws {
        let clip = try Self.clip(), data = try Self.captionFolder(count: 5)
        // Sentences: the text tower's embeddings, transformers' (but the texts with spaces around,
        // which the sentence file's reader trims).
        let texts = clip.appendingPathComponent("texts.txt"), sentences = data.appendingPathComponent("texts.jsonl")
        let encoded = try cli.run(["encode", "--model", clip.path, "--input", texts.path, "--output", sentences.path, "--quiet"])
        #expect(encoded.status == 0, "\(encoded.stderr)")
        struct Expected: Decodable { let text_embeds: [[Float]] }
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: clip.appendingPathComponent("expected_outputs.json")))
        let lines = try jsonLines(sentences)
        let originals = try String(contentsOf: texts, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 24)
        for (index, (line, text)) in zip(lines, originals).enumerated() where text.first?.isWhitespace != true && text.last?.isWhitespace != true {
            let embedding = try #require(line["embedding"] as? [Double])
            let worst = zip(embedding, expected.text_embeds[index]).map { abs(Float($0) - $1) }.max() ?? .infinity
            #expect(worst < 1e-4, "\(text): \(worst)")
        }
        // Images: a folder's, one line each in name order, paths absolute; a list's, relative to it.
        let images = data.appendingPathComponent("images.jsonl")
        let folder = try cli.run(["encode", "--model", clip.path, "--images", data.appendingPathComponent("images").path, "--output", images.path,
                                  "--quiet", "--json"])
        #expect(folder.status == 0, "\(folder.stderr)")
        #expect(try lastJSON(folder)["images"] as? Int == 5 && lastJSON(folder)["dimensions"] as? Int == 16)
        let rows = try jsonLines(images)
        #expect(rows.map { ($0["image"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent } } == ["0.png", "1.png", "2.png", "3.png", "4.png"])
        #expect(rows.allSatisfy { ($0["image"] as? String)?.hasPrefix("/") == true && ($0["embedding"] as? [Double])?.count == 16 })
        let list = data.appendingPathComponent("list.txt"), npy = data.appendingPathComponent("listed.npy")
        try "images/3.png\n\nimages/0.png\n".write(to: list, atomically: true, encoding: .utf8)
        let listed = try cli.run(["encode", "--model", clip.path, "--images", list.path, "--output", npy.path, "--quiet"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(try Data(contentsOf: npy).count == 128 + 2 * 16 * 4)
        // The same image embeds the same, listed or found in the folder.
        let again = data.appendingPathComponent("listed.jsonl")
        _ = try cli.run(["encode", "--model", clip.path, "--images", list.path, "--output", again.path, "--quiet"])
        #expect(try jsonLines(again)[0]["embedding"] as? [Double] == rows[3]["embedding"] as? [Double])
    }

    @Test func encodeImageErrorsAreOneLineNamingTheFile() throws {
        let clip = try Self.clip(), data = try Self.captionFolder(count: 2)
        let output = data.appendingPathComponent("out.jsonl")
        func encode(_ arguments: [String]) throws -> CommandLineTests.Outcome {
            try cli.run(["encode", "--output", output.path] + arguments)
        }
        // Images need an image-text model; a sentence encoder is a usage error.
        let sentenceEncoder = try CommandLineTests.tinyModel()
        cli.expectFailure(try encode(["--model", sentenceEncoder.path, "--images", data.path]), status: 2, mentions: ["--images", "not an image-text model"])
        cli.expectFailure(try encode(["--model", clip.path]), status: 2, mentions: ["--input", "--images"])
        cli.expectFailure(try encode(["--model", clip.path, "--images", data.path, "--pooling", "mean"]), status: 2, mentions: ["--pooling"])
        // A folder without images, a list naming a missing image (at its line).
        cli.expectFailure(try encode(["--model", clip.path, "--images", data.path]), status: 1, mentions: ["\(data.path): no images (.png, .jpg, .jpeg)"])
        let list = data.appendingPathComponent("list.txt")
        try "images/0.png\nimages/none.png\n".write(to: list, atomically: true, encoding: .utf8)
        cli.expectFailure(try encode(["--model", clip.path, "--images", list.path]), status: 1,
                          mentions: ["\(list.path):2: \(data.appendingPathComponent("images/none.png").path): no such file"])
    }

    // MARK: eval

    @Test func zeroShotClassifiesAnImageFolder() throws {
        let clip = try Self.clip(), classes = try Self.imageFolder()
        let outcome = try cli.run(["eval", "zeroshot", "--model", clip.path, "--images", classes.path, "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let result = try lastJSON(outcome)
        let accuracy = try #require(result["accuracy"] as? Double)
        #expect((0...1).contains(accuracy) && result["images"] as? Int == 8 && result["classes"] as? Int == 2 && result["templates"] as? Int == 80)
        let perClass = try #require(result["per_class_accuracy"] as? [String: Double])
        #expect(Set(perClass.keys) == ["blue thing", "red thing"])
        #expect(outcome.stderr.contains("zero-shot accuracy on \(classes.path): "))
        // Without --json the accuracy is the result on stdout.
        let plain = try cli.run(["eval", "zeroshot", "--model", clip.path, "--images", classes.path, "--quiet"])
        #expect(plain.status == 0 && plain.stdout.hasPrefix("zero-shot accuracy on ") && plain.stdout.contains("(8 images, 2 classes)"), "\(plain.stdout)")
        // --templates replaces CLIP's ensemble.
        let templates = try TestPaths.write("a photo of a {}.\n\na {} in red or blue\n", named: "templates.txt")
        let own = try cli.run(["eval", "zeroshot", "--model", clip.path, "--images", classes.path, "--templates", templates.path, "--json", "--quiet"])
        #expect(own.status == 0, "\(own.stderr)")
        #expect(try lastJSON(own)["templates"] as? Int == 2)
    }

    @Test func zeroShotLayoutAndTemplateErrorsNameThePath() throws {
        let clip = try Self.clip(), classes = try Self.imageFolder()
        func zeroShot(_ arguments: [String]) throws -> CommandLineTests.Outcome { try cli.run(["eval", "zeroshot", "--model", clip.path] + arguments) }
        let empty = try TestPaths.temporaryDirectory()
        cli.expectFailure(try zeroShot(["--images", empty.path]), status: 1, mentions: ["\(empty.path): no class folders"])
        try FileManager.default.createDirectory(at: classes.appendingPathComponent("green_thing"), withIntermediateDirectories: true)
        cli.expectFailure(try zeroShot(["--images", classes.path]), status: 1,
                          mentions: ["\(classes.appendingPathComponent("green_thing").path): no images (.png, .jpg, .jpeg) in this class folder"])
        try FileManager.default.removeItem(at: classes.appendingPathComponent("green_thing"))
        let bad = try TestPaths.write("a photo of a {}\na photo\n", named: "templates.txt")
        cli.expectFailure(try zeroShot(["--images", classes.path, "--templates", bad.path]), status: 1,
                          mentions: ["\(bad.path):2: the template has no {} for the class name"])
        cli.expectFailure(try zeroShot(["--images", classes.path, "--dataset", "fashion-mnist"]), status: 2, mentions: ["--dataset or --images"])
    }

    @Test func retrievalReadsACaptionFileWithCLIP() throws {
        let clip = try Self.clip(), data = try Self.captionFolder(count: 6)
        let outcome = try cli.run(["eval", "retrieval", "--model", clip.path, "--dataset", data.appendingPathComponent("captions.jsonl").path, "--json", "--quiet"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let recall = try lastJSON(outcome)
        #expect(recall["t2i_r10"] as? Double == 1 && (0...1).contains(recall["i2t_r1"] as? Double ?? -1))
    }

    // MARK: train align --model

    /// Fine-tuning the reference CLIP on 16 captioned images (all of them: no validation split)
    /// lowers the loss and saves a folder that loads back (here and, by its names and files, in
    /// transformers); without --lr the learning rate is CLIP fine-tuning's.
    @Test func fineTuningCLIPLowersTheLossAndSavesAHuggingFaceFolder() throws {
        let clip = try Self.clip(), data = try Self.captionFolder()
        let captions = data.appendingPathComponent("captions.jsonl"), run = data.appendingPathComponent("run")
        let trained = try cli.run(["train", "align", "--model", clip.path, "--dataset", captions.path, "--output", run.path, "--max-steps", "6",
                                   "--batch-size", "16", "--validation-fraction", "0", "--lr", "1e-3", "--schedule", "constant", "--quiet", "--json"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let losses = try jsonLines(run.appendingPathComponent("metrics.jsonl")).compactMap { $0["loss"] as? Double }
        #expect(losses.count == 6 && losses.last! < losses.first!, "losses \(losses)")
        let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("config.json"))) as? [String: Any])
        #expect(config["model_type"] as? String == "clip" && config["architectures"] as? [String] == ["CLIPModel"])
        for file in ["model.safetensors", "tokenizer.json", "tokenizer_config.json", "preprocessor_config.json", "training_config.json"] {
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(file).path), "\(file) missing")
        }
        let loaded = try #require(try ImageTextModelFolder.load(run) as? CLIPImageTextModel)
        let model = try CLIPModel(directory: run)
        #expect(model.stateDict().mapValues(\.scalars) == loaded.model.stateDict().mapValues(\.scalars))
        #expect(model.stateDict()["logit_scale"]?.item != Float(2.6592))
        // The fine-tuned folder is a model for every command.
        let zeroShot = try cli.run(["eval", "zeroshot", "--model", run.path, "--images", try Self.imageFolder().path, "--quiet"])
        #expect(zeroShot.status == 0, "\(zeroShot.stderr)")

        let defaults = data.appendingPathComponent("defaults")
        let short = try cli.run(["train", "align", "--model", clip.path, "--dataset", captions.path, "--output", defaults.path, "--max-steps", "1",
                                 "--batch-size", "8", "--quiet"])
        #expect(short.status == 0, "\(short.stderr)")
        let settings = try JSONSerialization.jsonObject(with: Data(contentsOf: defaults.appendingPathComponent("training_config.json"))) as? [String: Any]
        #expect(settings?["lr"] as? Double == 1e-5 && settings?["model"] as? String == clip.path)
        // Without a validation split there is nothing to evaluate on; a sentence encoder is no CLIP.
        cli.expectFailure(try cli.run(["train", "align", "--model", clip.path, "--dataset", captions.path, "--output", data.appendingPathComponent("e").path,
                                       "--batch-size", "8", "--eval-every", "2", "--validation-fraction", "0"]),
                          status: 2, mentions: ["--eval-every: no validation split"])
        cli.expectFailure(try cli.run(["train", "align", "--model", try CommandLineTests.tinyModel().path, "--dataset", captions.path,
                                       "--output", data.appendingPathComponent("s").path]), status: 1, mentions: ["not an image-text model"])
    }
}
