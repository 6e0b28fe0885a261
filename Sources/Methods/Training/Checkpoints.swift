import Foundation
import NeuralNetworks
import Objectives
import Tensors

/// What the trainer needs besides tensors to continue a run exactly.
public struct TrainerState: Codable, Sendable, Equatable {
    /// Optimizer steps completed.
    public var step: Int
    /// The dropout stream's position (methods whose model has dropout).
    public var dropout: RandomGenerator?
    public var bestMetric: Double?
    public var bestStep: Int?
    /// Steps skipped because the loss or a gradient was not finite.
    public var skippedSteps: Int
}

/// Resumable checkpoints under `<run>/checkpoints/`, each written completely before it becomes
/// visible: files go into a temporary folder, are flushed to disk, the folder is renamed to
/// `step-N`, and only then does the manifest `latest.json` (itself replaced atomically) name it.
/// A run killed at any moment, even during a save, resumes from the last complete checkpoint.
public struct CheckpointStore {
    public let directory: URL
    /// Checkpoints kept on disk (older ones are removed after a successful save).
    public var keep = 2

    public init(run: URL) { directory = run.appendingPathComponent("checkpoints") }

    struct Manifest: Codable { var latest: String }

    /// Writes a checkpoint for `state.step`.
    public func save(parameters: [String: Tensor], optimizer: [String: Tensor], method: [String: Tensor], state: TrainerState) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let name = "step-\(state.step)"
        let staging = directory.appendingPathComponent(".incomplete-\(name)")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        try SafeTensors.write(parameters, to: staging.appendingPathComponent("model.safetensors").path)
        try SafeTensors.write(optimizer, to: staging.appendingPathComponent("optimizer.safetensors").path)
        try SafeTensors.write(method, to: staging.appendingPathComponent("method.safetensors").path)
        try JSONEncoder().encode(state).write(to: staging.appendingPathComponent("trainer.json"))
        for file in try fm.contentsOfDirectory(atPath: staging.path) { try Durable.sync(staging.appendingPathComponent(file)) }
        try Durable.sync(staging)
        let final = directory.appendingPathComponent(name)
        try? fm.removeItem(at: final)
        try fm.moveItem(at: staging, to: final)
        try Durable.sync(directory)
        try Durable.write(try JSONEncoder().encode(Manifest(latest: name)), to: directory.appendingPathComponent("latest.json"))
        try prune(except: name)
    }

    /// The newest complete checkpoint, or `nil` when the run has none.
    public func latest() throws -> Checkpoint? {
        let manifestURL = directory.appendingPathComponent("latest.json")
        guard FileManager.default.fileExists(atPath: manifestURL.path) else { return nil }
        let manifest: Manifest
        do { manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: manifestURL)) } catch {
            throw TrainingError.corruptCheckpoint("\(manifestURL.path): not a checkpoint manifest")
        }
        let folder = directory.appendingPathComponent(manifest.latest)
        let stateURL = folder.appendingPathComponent("trainer.json")
        do {
            let state = try JSONDecoder().decode(TrainerState.self, from: Data(contentsOf: stateURL))
            return Checkpoint(folder: folder, state: state)
        } catch {
            throw TrainingError.corruptCheckpoint("\(stateURL.path): unreadable trainer state")
        }
    }

    /// Records that the run finished after `step` steps (its model is saved), so that resuming
    /// it again says so instead of training.
    public func markFinished(step: Int) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Durable.write(try JSONEncoder().encode(["step": step]), to: directory.appendingPathComponent("finished.json"))
    }

    /// The step a finished run ended at, or `nil` when it has not finished.
    public func finishedStep() throws -> Int? {
        let url = directory.appendingPathComponent("finished.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let record = try? JSONDecoder().decode([String: Int].self, from: Data(contentsOf: url)), let step = record["step"] else {
            throw TrainingError.corruptCheckpoint("\(url.path): unreadable")
        }
        return step
    }

    private func prune(except newest: String) throws {
        let fm = FileManager.default
        let steps = try fm.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("step-") }
            .compactMap { name in Int(name.dropFirst(5)).map { (name, $0) } }
            .sorted { $0.1 > $1.1 }
        for (name, _) in steps.dropFirst(keep) where name != newest {
            try fm.removeItem(at: directory.appendingPathComponent(name))
        }
    }
}

/// One complete checkpoint on disk.
public struct Checkpoint {
    public let folder: URL
    public let state: TrainerState

    func tensors(_ file: String) throws -> [String: Tensor] {
        try SafeTensorsFile(path: folder.appendingPathComponent(file).path).allTensors()
    }

    /// Assigns the values saved in `file` to `tensors` and, when given, fills each empty queue
    /// with the keys saved under its name.
    func restore(_ tensors: [(name: String, tensor: Tensor)], queues: [(name: String, queue: FeatureQueue)] = [], from file: String) throws {
        let saved = try self.tensors(file)
        for (name, tensor) in tensors {
            guard let value = saved[name], value.shape == tensor.shape else {
                throw TrainingError.corruptCheckpoint("\(folder.path): \(name) is missing or has the wrong shape")
            }
            tensor.assign(value)
        }
        for (name, queue) in queues {
            guard let keys = saved[name] else { throw TrainingError.corruptCheckpoint("\(folder.path): the queue \(name) is missing") }
            if keys.shape[0] > 0 { queue.enqueue(keys) }
        }
    }}

/// Writes that survive a crash: data reaches the disk before a rename makes it visible.
enum Durable {
    /// Flushes a file or folder to disk.
    static func sync(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw TrainingError.io("\(url.path): cannot open to flush") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw TrainingError.io("\(url.path): fsync failed") }
    }

    /// Replaces `url` with `data` atomically and durably (temporary file, fsync, rename).
    static func write(_ data: Data, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        try data.write(to: temporary)
        try sync(temporary)
        guard rename(temporary.path, url.path) == 0 else { throw TrainingError.io("\(url.path): rename failed") }
        try sync(url.deletingLastPathComponent())
    }
}
