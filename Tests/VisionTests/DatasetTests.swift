import Foundation
import TestSupport
import Testing
import Text
import Vision

/// Fashion-MNIST (installed by scripts/install-deps.sh) and users' caption files.
@Suite struct DatasetTests {
    @Test func fashionMNISTSplits() throws {
        let test = try FashionMNIST.load(.test)
        #expect(test.images.count == 10000 && test.labels.count == 10000)
        #expect(test.images.allSatisfy { $0.channels == 1 && $0.height == 28 && $0.width == 28 })
        // Balanced: 1000 test images per class; the first is an ankle boot (the dataset's README).
        #expect((0..<10).map { c in test.labels.filter { $0 == c }.count } == Array(repeating: 1000, count: 10))
        #expect(FashionMNIST.classNames[test.labels[0]] == "Ankle boot")
        let mean = test.images.reduce(0) { $0 + $1.pixels.reduce(0, +) } / Float(10000 * 784)
        #expect(abs(mean - 0.286) < 0.01)
        let train = try FashionMNIST.load(.train)
        #expect(train.images.count == 60000 && train.labels.count == 60000)
        #expect((0..<10).map { c in train.labels.filter { $0 == c }.count } == Array(repeating: 6000, count: 10))
    }

    @Test func fashionMNISTCaptionsAndPrompts() throws {
        let test = try FashionMNIST.load(.test)
        let data = test.captioned()
        #expect(data.count == 10000 && data.labels == test.labels)
        #expect(data.captions[0].prefix(3) == ["an ankle boot", "a photo of an ankle boot", "a picture of an ankle boot"])
        #expect(data.captions[0].contains("a photo of the ankle boot"))
        let prompts = FashionMNIST.prompts()
        #expect(prompts.count == 10 && prompts.allSatisfy { $0.count == FashionMNIST.promptTemplates.count })
        #expect(prompts[1][0] == "a photo of a pair of trousers" && prompts[0][0] == "a photo of a t-shirt")
        // Every class's prompts are distinct from every other class's.
        #expect(Set(prompts.joined()).count == 10 * FashionMNIST.promptTemplates.count)
    }

    @Test func fashionMNISTMissingDirectory() {
        let folder = URL(fileURLWithPath: "/nonexistent/fashion")
        let file = folder.appendingPathComponent("t10k-images-idx3-ubyte.gz")
        #expect(imageFileError(naming: file) { try FashionMNIST.load(.test, directory: folder) }?.description
            == "\(file.path): no such file (install Debian's dataset-fashion-mnist: scripts/install-deps.sh)")
    }

    @Test func fashionMNISTLabelCountMismatch() throws {
        let folder = try TestPaths.temporaryDirectory()
        try Data(Sample.idx([2, 28, 28], Array(repeating: 0, count: 2 * 784))).write(to: folder.appendingPathComponent("t10k-images-idx3-ubyte"))
        let labels = folder.appendingPathComponent("t10k-labels-idx1-ubyte")
        try Data(Sample.idx([3], [0, 1, 2])).write(to: labels)
        #expect(imageFileError(naming: labels) { try FashionMNIST.load(.test, directory: folder) }?.problem
            == .mismatch("3 labels for the 2 images of \(folder.appendingPathComponent("t10k-images-idx3-ubyte").path)"))
    }

    // MARK: Caption files

    /// A folder holding two images, a.png (4x4 RGB) and b.png (6x4 grayscale), and `files`.
    func captionFolder(_ files: [String: String]) throws -> URL {
        let folder = try TestPaths.temporaryDirectory()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("img"), withIntermediateDirectories: true)
        try Sample.ramp(channels: 3, height: 4, width: 4).writePNG(to: folder.appendingPathComponent("img/a.png"))
        try Sample.ramp(channels: 1, height: 6, width: 4).writePNG(to: folder.appendingPathComponent("img/b.png"))
        for (name, text) in files { try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return folder
    }

    @Test func captionFilesInBothFormats() throws {
        let folder = try captionFolder([
            "c.jsonl": """
                {"image": "img/a.png", "caption": "a ramp", "source": "ignored"}

                {"image": "img/b.png", "captions": ["a gray ramp", "a tall ramp"]}
                {"image": "img/a.png", "captions": ["a colour ramp"], "caption": "a square"}
                """,
            "c.csv": "image,caption\nimg/a.png,a ramp\nimg/b.png,\"a gray, tall ramp\"\nimg/a.png,a square\n",
        ])
        let jsonl = try CaptionFile.read(folder.appendingPathComponent("c.jsonl"))
        #expect(jsonl.skippedEmptyLines == 1)
        #expect(jsonl.examples.map(\.image.lastPathComponent) == ["a.png", "b.png"])
        #expect(jsonl.examples.map(\.captions) == [["a ramp", "a square", "a colour ramp"], ["a gray ramp", "a tall ramp"]])
        #expect(jsonl.examples.map(\.line) == [1, 3])
        #expect(jsonl.examples[0].image.path == folder.appendingPathComponent("img/a.png").path)
        let csv = try CaptionFile.read(folder.appendingPathComponent("c.csv"))
        #expect(csv.examples.map(\.captions) == [["a ramp", "a square"], ["a gray, tall ramp"]])
        #expect(csv.examples.map(\.line) == [2, 3])

        // Loading: b.png is taller and grayscale; with a size both become 4x4 RGB.
        let loaded = try CaptionFile.load(folder.appendingPathComponent("c.csv"), size: 4)
        #expect(loaded.count == 2 && loaded.images.allSatisfy { $0.channels == 3 && $0.height == 4 && $0.width == 4 })
        #expect(loaded.images[0] == Sample.ramp(channels: 3, height: 4, width: 4).roundedToBytes())
        #expect(loaded.pairs.map(\.caption) == ["a ramp", "a square", "a gray, tall ramp"])
        // An image's problem is told at the caption file's line that names it.
        let b = folder.appendingPathComponent("img/b.png"), csvFile = folder.appendingPathComponent("c.csv")
        #expect(throws: TextFileError(file: csvFile, line: 3, .invalidRecord("\(b.path): the image is 6x4, the first one 4x4 (pass a size to resize)"))) {
            try CaptionFile.load(csvFile)
        }
    }

    @Test func captionFileErrors() throws {
        let cases: [(String, String, TextFileError.Problem, Int)] = [
            ("bad.jsonl", "{\"image\": \"a.png\", \"caption\": \"x\"}\n{\"image\": 3, \"caption\": \"x\"}", .wrongType(path: "image", expected: "a string"), 2),
            ("bad.jsonl", "{\"image\": \"a.png\"}", .missingKey("caption (or captions)"), 1),
            ("bad.jsonl", "{\"caption\": \"x\"}", .missingKey("image"), 1),
            ("bad.jsonl", "[1, 2]", .wrongType(path: "the line", expected: "an object"), 1),
            ("bad.jsonl", "{\"image\": \"a.png\", \"captions\": [\"x\", 2]}", .wrongType(path: "captions[1]", expected: "a string"), 1),
            ("bad.jsonl", "{\"image\": \"a.png\", \"captions\": []}", .invalidRecord("the image has no caption"), 1),
            ("bad.jsonl", "{\"image\": \"a.png\", \"captions\": [\"x\", \" \"]}", .invalidRecord("caption 2 is empty"), 1),
            ("bad.jsonl", "{\"image\": \"\", \"caption\": \"x\"}", .invalidRecord("the image path is empty"), 1),
            ("bad.csv", "image,caption\na.png,x\na.png,x,y\n", .wrongColumnCount(expected: "2 (image,caption)", found: 3), 3),
            ("bad.csv", "a.png,\"x\n", .malformedCSV("unterminated quoted field"), 1),
        ]
        for (name, text, problem, line) in cases {
            let file = try TestPaths.write(text, named: name)
            do {
                _ = try CaptionFile.read(file)
                Issue.record("\(text): expected an error")
            } catch {
                #expect(error == TextFileError(file: file, line: line, problem), "\(text)")
                #expect(error.description.hasPrefix("\(file.path):\(line): "))
            }
        }
        let jsonBroken = try TestPaths.write("{\"image\": ", named: "broken.jsonl")
        #expect(throws: TextFileError.self) { try CaptionFile.read(jsonBroken) }
        // A missing image is named, at the caption file's line that names it.
        let folder = try captionFolder(["c.jsonl": "{\"image\": \"img/none.png\", \"caption\": \"x\"}"])
        let none = folder.appendingPathComponent("img/none.png"), captions = folder.appendingPathComponent("c.jsonl")
        #expect(throws: TextFileError(file: captions, line: 1, .invalidRecord("\(none.path): no such file"))) {
            try CaptionFile.load(captions, size: 4)
        }
    }
}

extension Image {
    /// The image as an 8-bit file stores it.
    func roundedToBytes() -> Image {
        Image(channels: channels, height: height, width: width, pixels: interleavedBytes().withUnsafeBufferPointer {
            Image(interleaved: $0, channels: channels, height: height, width: width).pixels
        })
    }
}
