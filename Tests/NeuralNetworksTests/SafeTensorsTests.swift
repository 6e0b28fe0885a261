import Foundation
import TestSupport
import Testing
import Tensors
@testable import NeuralNetworks

/// Writes a hand-made safetensors file: an 8-byte length (`headerLength`, or the header's real
/// length), the header text, and `data`.
private func handMade(_ header: String, data: [UInt8] = [], headerLength: UInt64? = nil, name: String = "bad.safetensors") -> String {
    let path = temporaryPath(name)
    let json = Array(header.utf8)
    let length = headerLength ?? UInt64(json.count)
    let bytes = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) } + json + data
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
}

/// The reason `SafeTensorsFile(path:)` fails with, checking that the message names the file.
private func failure(opening path: String) -> (tensor: String?, reason: SafeTensorsError.Reason)? {
    defer { try? FileManager.default.removeItem(atPath: path) }
    do {
        _ = try SafeTensorsFile(path: path)
        return nil
    } catch let error as SafeTensorsError {
        #expect(error.description.hasPrefix(path) && !error.description.contains("\n"))
        return (error.tensor, error.reason)
    } catch {
        return nil
    }
}

private func entry(_ dtype: String = "F32", shape: String = "[2]", offsets: String = "[0, 8]") -> String {
    "{\"dtype\": \"\(dtype)\", \"shape\": \(shape), \"data_offsets\": \(offsets)}"
}

@Suite struct SafeTensorsTests {
    @Test func roundTripWithMetadata() throws {
        let path = temporaryPath("round.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let tensors = ["b.weight": Tensor([1, -2.5, 3, 4e-8, 5, 6], shape: [2, 3]), "a.bias": Tensor([7]), "scalar": Tensor(scalar: 0.25)]
        try SafeTensors.write(tensors, metadata: ["format": "pt", "note": "quote \" and \\"], to: path)
        let file = try SafeTensorsFile(path: path)
        #expect(file.names == ["a.bias", "b.weight", "scalar"])
        #expect(file.metadata == ["format": "pt", "note": "quote \" and \\"])
        for (name, tensor) in tensors {
            let read = try file.tensor(named: name)
            #expect(read.shape == tensor.shape && read.scalars == tensor.scalars)
        }
        // Header sorted by name, data 8-byte aligned, tensors packed in the same order.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let length = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect((8 + length) % 8 == 0)
        let header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
        #expect(header.hasPrefix("{\"__metadata__\":"))
        #expect(header.contains("\"a.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}"))
        #expect(header.contains("\"scalar\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[28,32]}"))
    }

    @Test func readsHalfBFloatAndInt64() throws {
        // F16 1.0 = 0x3C00, −2.0 = 0xC000; BF16 1.5 = 0x3FC0; I64 7 and −3.
        let data: [UInt8] = [0x00, 0x3C, 0x00, 0xC0, 0xC0, 0x3F, 0, 0,
                             7, 0, 0, 0, 0, 0, 0, 0, 0xFD, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        let path = handMade("{\"h\": \(entry("F16", offsets: "[0, 4]")), \"b\": \(entry("BF16", shape: "[1]", offsets: "[4, 6]")), \"i\": \(entry("I64", offsets: "[8, 24]"))}", data: data)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try SafeTensorsFile(path: path)
        #expect(try file.tensor(named: "h").scalars == [1, -2])
        #expect(try file.tensor(named: "b").scalars == [1.5])
        #expect(try file.tensor(named: "i").scalars == [7, -3])
    }

    @Test func truncatedFile() {
        let path = temporaryPath("short.safetensors")
        _ = FileManager.default.createFile(atPath: path, contents: Data([1, 0, 0]))
        #expect(failure(opening: path)?.reason == .truncated(fileSize: 3))
    }

    @Test func headerLengthPastEnd() {
        let path = handMade("{}", headerLength: 1000)
        #expect(failure(opening: path)?.reason == .headerLengthPastEnd(headerLength: 1000, fileSize: 10))
    }

    @Test func nonJSONHeader() {
        #expect(failure(opening: handMade("{not json"))?.reason == .invalidHeader("not valid JSON"))
        #expect(failure(opening: handMade("[1, 2]"))?.reason == .invalidHeader("not a JSON object"))
    }

    @Test func mistypedEntries() {
        for bad in ["{\"shape\": [2], \"data_offsets\": [0, 8]}", entry(shape: "[2.5]"), entry(shape: "[-1]"),
                    entry(offsets: "[0]"), entry(offsets: "[8, 0]"), entry(offsets: "\"0-8\""), "3"] {
            let result = failure(opening: handMade("{\"t\": \(bad)}", data: Array(repeating: 0, count: 8)))
            #expect(result?.tensor == "t")
            if case .invalidEntry? = result?.reason {} else { Issue.record("\(bad): \(String(describing: result))") }
        }
    }

    @Test func unknownDType() {
        let result = failure(opening: handMade("{\"t\": \(entry("F64"))}", data: Array(repeating: 0, count: 8)))
        #expect(result?.tensor == "t" && result?.reason == .unknownDType("F64"))
    }

    @Test func offsetsOutOfRange() {
        let result = failure(opening: handMade("{\"t\": \(entry(offsets: "[4, 12]"))}", data: Array(repeating: 0, count: 8)))
        #expect(result?.tensor == "t" && result?.reason == .offsetsOutOfRange(begin: 4, end: 12, dataSize: 8))
    }

    @Test func overlappingOffsets() {
        let header = "{\"a\": \(entry(offsets: "[0, 8]")), \"b\": \(entry(offsets: "[4, 12]"))}"
        let result = failure(opening: handMade(header, data: Array(repeating: 0, count: 12)))
        #expect(result?.tensor == "b" && result?.reason == .overlapping(other: "a"))
    }

    @Test func shapeSizeMismatch() {
        let result = failure(opening: handMade("{\"t\": \(entry(shape: "[3]"))}", data: Array(repeating: 0, count: 8)))
        #expect(result?.tensor == "t" && result?.reason == .sizeMismatch(bytes: 8, expected: 12, dtype: "F32", shape: [3]))
    }

    @Test func badMetadata() {
        let result = failure(opening: handMade("{\"__metadata__\": {\"format\": 1}}"))
        #expect(result?.reason == .invalidHeader("__metadata__ value of 'format' is not a string"))
    }

    @Test func missingTensorLookup() throws {
        let path = handMade("{\"t\": \(entry())}", data: Array(repeating: 0, count: 8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try SafeTensorsFile(path: path)
        #expect(throws: SafeTensorsError(path: path, tensor: "nope", reason: .tensorNotFound)) { try file.tensor(named: "nope") }
        #expect(SafeTensorsError(path: path, tensor: "nope", reason: .tensorNotFound).description == "\(path): tensor 'nope': no such tensor in the file")
    }

    @Test func missingFile() {
        if case .io? = failure(opening: "/nonexistent/x.safetensors")?.reason {} else { Issue.record("expected an I/O error") }
    }

    /// The pretrained model's weights; a missing model fails this test with how to fetch it.
    @Test func readsPretrainedMiniLM() throws {
        let file = try SafeTensorsFile(path: TestPaths.modelFile("model.safetensors").path)
        let tensors = try file.allTensors()
        // 103 parameters plus the `embeddings.position_ids` buffer (I64).
        #expect(tensors.count == 104)
        #expect(tensors.keys.filter { $0 != "embeddings.position_ids" }.count == 103)
        #expect(tensors["embeddings.word_embeddings.weight"]?.shape == [30522, 384])
        #expect(tensors["encoder.layer.5.attention.self.query.weight"]?.shape == [384, 384])
        #expect(tensors["embeddings.position_ids"]?.scalars.prefix(3) == [0, 1, 2])
        #expect(tensors.values.allSatisfy { $0.scalars.allSatisfy(\.isFinite) })
    }
}
