import CZlib
import Foundation

/// gzip decompression through zlib.
enum Gzip {
    /// Whether `bytes` start with the gzip magic number.
    static func isCompressed(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }

    /// The largest output accepted: far above any dataset file read whole, low enough that a
    /// corrupt size cannot exhaust memory.
    static let maximumOutput = 1 << 31

    /// The decompressed contents of the gzip stream `bytes` (concatenated members included).
    static func decompressed(_ bytes: [UInt8], file: URL) throws(ImageFileError) -> [UInt8] {
        var stream = z_stream()
        guard czlib_inflate_init_gzip(&stream) == Z_OK else {
            throw ImageFileError(file: file, .corrupt("zlib could not start inflating"))
        }
        defer { inflateEnd(&stream) }
        // The trailer's ISIZE is the size modulo 2^32 of the last member: a good first guess,
        // bounded by deflate's largest ratio (1032:1) in case the trailer is corrupt.
        let trailerSize = bytes.count >= 18 ? bytes[(bytes.count - 4)...].reversed().reduce(0) { $0 << 8 | Int($1) } : 0
        let hinted = min(trailerSize, 1032 * bytes.count, maximumOutput)
        var output = [UInt8](repeating: 0, count: max(hinted, 4 * bytes.count, 1024))
        var produced = 0
        var status = Z_OK
        let failure: ImageFileError? = bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!)
            stream.avail_in = UInt32(input.count)
            while true {
                if produced == output.count {
                    guard output.count < maximumOutput else {
                        return ImageFileError(file: file, .unsupported("decompresses to more than \(maximumOutput) bytes"))
                    }
                    output += [UInt8](repeating: 0, count: min(output.count, maximumOutput - output.count))
                }
                status = output.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = UInt32(min(out.count - produced, Int(UInt32.max)))
                    let before = stream.avail_out
                    let result = inflate(&stream, Z_NO_FLUSH)
                    produced += Int(before - stream.avail_out)
                    return result
                }
                switch status {
                case Z_OK:
                    continue
                case Z_STREAM_END:
                    // Another member may follow (gzip files may be concatenations).
                    guard stream.avail_in > 0 else { return nil }
                    inflateReset(&stream)
                case Z_BUF_ERROR where stream.avail_in == 0:
                    return ImageFileError(file: file, .truncated("the gzip stream ends early"))
                case Z_BUF_ERROR:
                    continue  // output full: grown at the top of the loop
                default:
                    let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    return ImageFileError(file: file, .corrupt("gzip: \(reason)"))
                }
            }
        }
        if let failure { throw failure }
        output.removeSubrange(produced...)
        return output
    }
}
