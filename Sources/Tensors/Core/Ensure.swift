/// Stops the process with `message` when `condition` is false, in every build configuration.
///
/// The library's programming-error checks (shape mismatches, bad axes, out-of-range indices) use
/// this rather than `precondition`, whose message optimised builds drop: a user of a release
/// build must still read which operation failed and with which shapes.
@inlinable @inline(__always)
public func ensure(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                   file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
