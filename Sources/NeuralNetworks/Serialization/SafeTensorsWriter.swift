#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Tensors

/// Writing named tensors in the safetensors format (F32, little-endian), readable by Hugging Face
/// tools.
public enum SafeTensors {
    /// Writes `tensors` to `path` as F32 with optional `metadata` (`__metadata__`).
    ///
    /// The header lists `__metadata__` first and then the tensors sorted by name, in the same order
    /// as their bytes; it is padded with spaces so the data section starts 8-byte aligned. The
    /// file is written beside `path` and renamed over it, so a crash never leaves half a file.
    ///
    /// ```swift
    /// try SafeTensors.write(model.stateDict(), metadata: ["format": "pt"], to: "model.safetensors")
    /// ```
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to path: String) throws {
        let names = tensors.keys.sorted()
        ensure(!names.contains { $0.isEmpty || $0 == SafeTensorsHeader.metadataKey },
                     "SafeTensors.write: tensor names must be non-empty and not \(SafeTensorsHeader.metadataKey)")
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(JSONValue.quoted($0)):\(JSONValue.quoted(metadata[$0]!))" }
            fields.append("\(JSONValue.quoted(SafeTensorsHeader.metadataKey)):{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for name in names {
            let tensor = tensors[name]!
            let end = offset + 4 * tensor.count
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            fields.append("\(JSONValue.quoted(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array(("{" + fields.joined(separator: ",") + "}").utf8)
        header += repeatElement(UInt8(ascii: " "), count: (8 - (8 + header.count) % 8) % 8)

        let temporary = path + ".partial"
        guard let stream = fopen(temporary, "wb") else { throw ioError(path, "cannot create \(temporary)") }
        var ok = true
        var length = UInt64(header.count).littleEndian
        ok = ok && fwrite(&length, 8, 1, stream) == 1
        ok = ok && fwrite(header, 1, header.count, stream) == header.count
        for name in names where ok {
            // Float32 is stored little-endian, as on every platform this package targets.
            ok = tensors[name]!.withUnsafeBufferPointer { fwrite($0.baseAddress, 4, $0.count, stream) == $0.count }
        }
        ok = fclose(stream) == 0 && ok
        guard ok, rename(temporary, path) == 0 else {
            let error = ioError(path, "cannot write")
            unlink(temporary)
            throw error
        }
    }

    private static func ioError(_ path: String, _ what: String) -> SafeTensorsError {
        SafeTensorsError(path: path, reason: .io("\(what): \(MappedFile.lastError())"))
    }
}
