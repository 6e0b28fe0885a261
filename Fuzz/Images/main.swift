import FuzzSupport
import Vision

// Reads the input as an image file (PNG or JPEG by its first bytes, through libpng and the
// libjpeg setjmp shim) and as an IDX array, gzip-compressed or not: only ImageFileError may
// come out, never a crash.
runFuzzer { data, size in
    let file = ScratchFile.write(data, size, as: "image")
    do {
        _ = try Image(contentsOf: file)
    } catch {}
    do {
        _ = try IDXFile.images(file)
    } catch {}
    do {
        _ = try IDXFile.labels(file, classCount: 10)
    } catch {}
    return 0
}
