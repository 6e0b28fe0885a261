import CLibFuzzer
import Foundation

/// Runs libFuzzer with this process's arguments, calling `test` with each input; returns
/// libFuzzer's exit status.
///
/// SwiftPM links every executable with its own `main` (renamed to `<Module>_main` and aliased),
/// which shadows the `main` that -sanitize=fuzzer links in, so targets start libFuzzer
/// themselves through its driver.
public func runFuzzer(_ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, test))
}
