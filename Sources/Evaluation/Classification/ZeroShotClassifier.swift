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
    /// name, is embedded by `encodeText`; a class's embedding is the mean of its prompts'.
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
        let prompts = classNames.flatMap { name in templates.map { $0.replacingOccurrences(of: "{}", with: name) } }
        let embedded = try encodeText(prompts)
        guard embedded.rank == 2, embedded.shape[0] == prompts.count else {
            throw EvaluationError("zero-shot: the text encoder returned \(embedded.shape) for \(prompts.count) prompts")
        }
        let means = withoutGradient {
            embedded.l2Normalized().reshaped([classNames.count, templates.count, embedded.shape[1]]).mean(axis: 1)
        }
        self.init(classEmbeddings: means)
    }

    /// The most similar class of each row of `imageEmbeddings` (`[n, d]`).
    public func predict(_ imageEmbeddings: Tensor) -> [Int] {
        ensure(imageEmbeddings.rank == 2 && imageEmbeddings.shape[1] == classEmbeddings.shape[1],
               "ZeroShotClassifier: image embeddings \(imageEmbeddings.shape) for class embeddings \(classEmbeddings.shape)")
        return withoutGradient { imageEmbeddings.l2Normalized().matmul(classEmbeddings, transposeOther: true) }.argmaxRows()
    }

    /// Fraction of images whose predicted class equals `labels`.
    public func accuracy(_ imageEmbeddings: Tensor, labels: [Int]) -> Double {
        ensure(labels.count == imageEmbeddings.shape.first, "ZeroShotClassifier: \(labels.count) labels for embeddings \(imageEmbeddings.shape)")
        return Double(zip(predict(imageEmbeddings), labels).filter { $0 == $1 }.count) / Double(max(labels.count, 1))
    }
}
