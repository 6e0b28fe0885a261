import Foundation
import Tensors

/// Zero-shot classification with a dual encoder (CLIP, ALIGN): each class is the normalised mean
/// of the normalised text embeddings of its prompts ("a photo of a {class}", ...), and an image
/// belongs to the class whose prompt embedding is most similar to its own.
///
/// ```swift
/// let classifier = try ZeroShotClassifier(classNames: ["shirt", "sneaker"],
///                                          templates: ["a photo of a {}", "a {}"], encodeText: encode)
/// let accuracy = classifier.accuracy(imageEmbeddings, labels: labels)
/// ```
public struct ZeroShotClassifier {
    /// `[classes, d]`, rows of unit length.
    public let classEmbeddings: Tensor

    /// A classifier over given class embeddings (`[classes, d]`, normalised here).
    public init(classEmbeddings: Tensor) {
        ensure(classEmbeddings.rank == 2 && classEmbeddings.shape[0] > 0,
               "ZeroShotClassifier: class embeddings must be [classes, d], got \(classEmbeddings.shape)")
        self.classEmbeddings = withoutGradient { classEmbeddings.l2Normalized() }
    }

    /// A classifier from a prompt ensemble: every template, with `{}` replaced by the class
    /// name, is embedded by `encodeText`; a class's embedding is the mean of its prompts'
    /// (``init(prompts:encodeText:)``).
    ///
    /// - Throws: ``EvaluationError`` for no classes, no templates or a template without `{}`;
    ///   whatever `encodeText` throws.
    public init(classNames: [String], templates: [String], encodeText: EmbeddingFunction) throws {
        guard !classNames.isEmpty, !templates.isEmpty else {
            throw EvaluationError("zero-shot: needs at least one class name and one template")
        }
        if let bad = templates.first(where: { !$0.contains("{}") }) {
            throw EvaluationError("zero-shot: template \"\(bad)\" has no {} for the class name")
        }
        try self.init(prompts: classNames.map { name in templates.map { $0.replacingOccurrences(of: "{}", with: name) } }, encodeText: encodeText)
    }

    /// A classifier from each class's prompts (`prompts[c]`, any number each): a class's embedding
    /// is the normalised mean of its prompts' normalised embeddings, as CLIP ensembles prompts.
    ///
    /// - Throws: ``EvaluationError`` for no classes or a class without prompts; whatever
    ///   `encodeText` throws.
    public init(prompts: [[String]], encodeText: EmbeddingFunction) throws {
        guard !prompts.isEmpty, prompts.allSatisfy({ !$0.isEmpty }) else {
            throw EvaluationError("zero-shot: needs at least one class and a prompt for each")
        }
        let all = prompts.flatMap { $0 }
        let embedded = try encodeText(all)
        guard embedded.rank == 2, embedded.shape[0] == all.count else {
            throw EvaluationError("zero-shot: the text encoder returned \(embedded.shape) for \(all.count) prompts")
        }
        let starts = prompts.reduce(into: [0]) { $0.append($0.last! + $1.count) }
        let means = withoutGradient {
            let unit = embedded.l2Normalized()
            return Tensor.stack(prompts.indices.map { unit.slice(axis: 0, starts[$0]..<starts[$0 + 1]).mean(axis: 0) })
        }
        self.init(classEmbeddings: means)
    }

    /// The most similar class of each row of `imageEmbeddings` (`[n, d]`).
    public func predict(_ imageEmbeddings: Tensor) -> [Int] {
        ensure(imageEmbeddings.rank == 2 && imageEmbeddings.shape[1] == classEmbeddings.shape[1],
               "ZeroShotClassifier: image embeddings \(imageEmbeddings.shape) for class embeddings \(classEmbeddings.shape)")
        return withoutGradient { imageEmbeddings.l2Normalized().matmul(classEmbeddings, transposeOther: true) }.argmaxRows()
    }

    /// The fraction of correct predictions over all images, and for each of `classes` classes
    /// over its images (`nil` for a class without images).
    public static func accuracy(predictions: [Int], labels: [Int], classes: Int) -> (overall: Double, perClass: [Double?]) {
        ensure(predictions.count == labels.count, "ZeroShotClassifier: \(predictions.count) predictions for \(labels.count) labels")
        var correct = [Int](repeating: 0, count: classes), seen = correct
        for (predicted, label) in zip(predictions, labels) {
            seen[label] += 1
            if predicted == label { correct[label] += 1 }
        }
        let overall = Double(correct.reduce(0, +)) / Double(max(labels.count, 1))
        return (overall, zip(correct, seen).map { $1 == 0 ? nil : Double($0) / Double($1) })
    }

    /// Fraction of images whose predicted class equals `labels`.
    public func accuracy(_ imageEmbeddings: Tensor, labels: [Int]) -> Double {
        ensure(labels.count == imageEmbeddings.shape.first, "ZeroShotClassifier: \(labels.count) labels for embeddings \(imageEmbeddings.shape)")
        return Double(zip(predict(imageEmbeddings), labels).filter { $0 == $1 }.count) / Double(max(labels.count, 1))
    }
}
