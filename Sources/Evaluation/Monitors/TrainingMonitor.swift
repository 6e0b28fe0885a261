import Foundation
import Models
import Tensors
import Vision

/// What a training run measures every `--eval-every` steps (and at the end) to keep the best
/// model in `best/`, for the methods without an STS evaluator: `knn_accuracy` (image encoders),
/// `zero_shot_accuracy` or `t2i_r1` (image-text models).
public enum TrainingMonitor {
    /// kNN accuracy of an image encoder (k 200, temperature 0.07: the monitor of InstDisc and
    /// MoCo): each test image takes the weighted vote of its nearest training images by the
    /// cosine of `features`.
    public static func knnAccuracy(train: (images: [Image], labels: [Int]), test: (images: [Image], labels: [Int]),
                                   features: ([Image]) -> Tensor) -> [String: Double] {
        let classifier = NearestNeighborClassifier(features: features(train.images).l2Normalized(), labels: train.labels)
        return ["knn_accuracy": classifier.accuracy(features(test.images).l2Normalized(), labels: test.labels)]
    }

    /// Zero-shot accuracy of an image-text model on labelled Fashion-MNIST images, each class the
    /// normalised mean of its prompts' embeddings (CLIP's prompt ensemble).
    public static func zeroShotAccuracy(_ model: any ImageTextModel, images: [Image], labels: [Int]) throws -> [String: Double] {
        let classifier = try ZeroShotClassifier(prompts: FashionMNIST.prompts()) { model.encodeTexts($0) }
        return ["zero_shot_accuracy": classifier.accuracy(model.encodeImages(images), labels: labels)]
    }

    /// Recall at 1, 5 and 10 of an image-text model's embeddings, text to image and image to text,
    /// over every caption of `data` (`t2i_r1`, ..., `i2t_r10`).
    public static func retrieval(_ model: any ImageTextModel, on data: CaptionedImages) -> [String: Double] {
        let retrieval = CrossModalRetrieval(imageOfText: data.pairs.map(\.image), imageCount: data.count)
        let similarity = model.encodeTexts(data.pairs.map(\.caption)).matmul(model.encodeImages(data.images), transposeOther: true)
        return retrieval.evaluate(similarity: similarity).metrics
    }
}
