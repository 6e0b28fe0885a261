#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole file: the kernel pages in only what is read, so opening a
/// large checkpoint costs nothing until tensors are converted.
final class MappedFile {
    let bytes: UnsafeRawBufferPointer

    /// Maps `path`; throws `SafeTensorsError.Reason.io` or `.truncated` (shorter than `minimumSize`).
    init(path: String, minimumSize: Int) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw SafeTensorsError(path: path, reason: .io("cannot open: \(MappedFile.lastError())")) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SafeTensorsError(path: path, reason: .io("cannot stat: \(MappedFile.lastError())")) }
        let size = Int(info.st_size)
        guard size >= minimumSize else { throw SafeTensorsError(path: path, reason: .truncated(fileSize: size)) }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let address, address != MAP_FAILED else { throw SafeTensorsError(path: path, reason: .io("cannot map: \(MappedFile.lastError())")) }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }

    static func lastError() -> String { String(cString: strerror(errno)) }
}
