import CMPI
import Collectives
import Foundation
import Tensors

/// The processes started by `mpirun` (MPI_COMM_WORLD), as a `Communicator`.
///
/// MPI is initialised by the first communicator and must be finalised once before the process
/// exits (`MPIProcess.finalize()`); on a failure, `MPIProcess.abort(code:)` stops every process of
/// the run. MPI errors use MPI's default handler, which aborts the whole run with a message.
///
/// ```swift
/// let world = MPIProcess.isLaunched ? MPICommunicator() : nil
/// let trainer = try Trainer(text: method, configuration: c, examples: examples, output: run,
///                           communicator: world ?? SingleProcess())
/// try trainer.train()
/// MPIProcess.finalize()
/// ```
public final class MPICommunicator: Communicator, Sendable {
    public let rank: Int
    public let size: Int

    /// Joins the run (initialising MPI in this process if needed).
    public init() {
        MPIProcess.initialize()
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(cmpi_comm_world(), &rank)
        MPI_Comm_size(cmpi_comm_world(), &size)
        self.rank = Int(rank)
        self.size = Int(size)
    }

    public func allGather(_ values: [Float], counts: [Int]) -> [Float] {
        ensure(counts.count == size && values.count == counts[rank], "MPICommunicator.allGather: \(values.count) values, counts \(counts)")
        let total = counts.reduce(0, +)
        ensure(total <= Int(Int32.max), "MPICommunicator.allGather: \(total) values exceed MPI's 32-bit counts")
        let counts32 = counts.map { Int32($0) }
        var offsets: [Int32] = [], running: Int32 = 0
        for count in counts32 {
            offsets.append(running)
            running += count
        }
        var result = [Float](repeating: 0, count: total)
        values.withUnsafeBufferPointer { send in
            result.withUnsafeMutableBufferPointer { receive in
                _ = MPI_Allgatherv(send.baseAddress, counts32[rank], cmpi_float(), receive.baseAddress, counts32, offsets, cmpi_float(), cmpi_comm_world())
            }
        }
        return result
    }

    public func allReduceSum(_ values: inout [Float]) {
        inPieces(&values) { piece, count in
            _ = MPI_Allreduce(cmpi_in_place(), piece, count, cmpi_float(), cmpi_sum(), cmpi_comm_world())
        }
    }

    public func broadcast(_ values: inout [Float], root: Int) {
        inPieces(&values) { piece, count in _ = MPI_Bcast(piece, count, cmpi_float(), Int32(root), cmpi_comm_world()) }
    }

    /// Runs `body` over pieces of `values` that fit MPI's 32-bit element counts.
    private func inPieces(_ values: inout [Float], _ body: (UnsafeMutablePointer<Float>, Int32) -> Void) {
        let piece = 1 << 30
        values.withUnsafeMutableBufferPointer { buffer in
            for start in stride(from: 0, to: buffer.count, by: piece) {
                body(buffer.baseAddress! + start, Int32(min(piece, buffer.count - start)))
            }
        }
    }
}

/// This process's MPI library: whether `mpirun` launched it, initialisation and shutdown.
public enum MPIProcess {
    /// Whether the process was started by `mpirun`/`mpiexec` (Open MPI) or a PMIx launcher
    /// (`srun --mpi=pmix`), so that training should join the other processes.
    public static var isLaunched: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["OMPI_COMM_WORLD_SIZE"] != nil || environment["PMIX_RANK"] != nil
    }

    /// Whether MPI is initialised and not yet finalised.
    public static var isRunning: Bool {
        var initialized: Int32 = 0, finalized: Int32 = 0
        MPI_Initialized(&initialized)
        MPI_Finalized(&finalized)
        return initialized != 0 && finalized == 0
    }

    static func initialize() {
        var initialized: Int32 = 0
        MPI_Initialized(&initialized)
        guard initialized == 0 else { return }
        // Collectives may come from any one thread at a time (not only the main thread).
        var provided: Int32 = 0
        MPI_Init_thread(nil, nil, cmpi_thread_serialized(), &provided)
    }

    /// Shuts MPI down after a successful run (every process must; a no-op without MPI).
    public static func finalize() {
        if isRunning { MPI_Finalize() }
    }

    /// Stops every process of the run with exit status `code` (after a failure on this one, while
    /// the others may be waiting in a collective); returns when MPI is not running.
    public static func abort(code: Int32) {
        if isRunning { MPI_Abort(cmpi_comm_world(), code) }
    }
}
