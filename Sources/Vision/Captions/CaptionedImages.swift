import Foundation
import Tensors

/// Images with their captions (one or more each), the common form of every image-text dataset
/// here: ``FashionMNIST``, ``ShapesDataset`` and users' ``CaptionFile``s.
///
/// ```swift
/// let data = try FashionMNIST.load(.train).captioned()
/// print(data.images.count, data.captions[0])   // 60000 ["a t-shirt", "a photo of a t-shirt", ...]
/// ```
public struct CaptionedImages: Sendable, Equatable {
    /// The images.
    public var images: [Image]
    /// The captions of each image, at least one per image.
    public var captions: [[String]]
    /// The class of each image, when the dataset has classes (Fashion-MNIST).
    public var labels: [Int]?
    /// For each image, captions known to be false of it that reuse a true caption's words bound
    /// differently ("a small blue circle left of a large red square" for a red circle and a blue
    /// square), or `nil` when the dataset has none. ALBEF's ITM adds them as negative pairs.
    public var negativeCaptions: [[String]]?

    /// Images with captions (and classes).
    public init(images: [Image], captions: [[String]], labels: [Int]? = nil, negativeCaptions: [[String]]? = nil) {
        ensure(images.count == captions.count, "CaptionedImages: \(images.count) images and \(captions.count) caption lists")
        ensure(captions.allSatisfy { !$0.isEmpty }, "CaptionedImages: every image needs a caption")
        if let labels { ensure(labels.count == images.count, "CaptionedImages: \(images.count) images and \(labels.count) labels") }
        if let negativeCaptions {
            ensure(negativeCaptions.count == images.count, "CaptionedImages: \(images.count) images and \(negativeCaptions.count) negative caption lists")
        }
        self.images = images
        self.captions = captions
        self.labels = labels
        self.negativeCaptions = negativeCaptions
    }

    /// The number of images.
    public var count: Int { images.count }

    /// The images at `indices`, in that order, with their captions (classes, false captions).
    public func selecting(_ indices: [Int]) -> CaptionedImages {
        CaptionedImages(images: indices.map { images[$0] }, captions: indices.map { captions[$0] }, labels: labels.map { l in indices.map { l[$0] } },
                        negativeCaptions: negativeCaptions.map { n in indices.map { n[$0] } })
    }

    /// Every (image index, caption) pair, images in order and each image's captions in order.
    public var pairs: [(image: Int, caption: String)] {
        captions.enumerated().flatMap { index, texts in texts.map { (index, $0) } }
    }
}

/// Caption templates: `{}` stands for a noun phrase ("ankle boot"), `{a}` for it with its
/// indefinite article ("an ankle boot").
public enum CaptionTemplate {
    /// `template` with its placeholders filled with `noun`.
    ///
    /// ```swift
    /// CaptionTemplate.fill("a photo of {a}", with: "ankle boot")   // "a photo of an ankle boot"
    /// ```
    public static func fill(_ template: String, with noun: String) -> String {
        template.replacingOccurrences(of: "{a}", with: withIndefiniteArticle(noun))
            .replacingOccurrences(of: "{}", with: noun)
    }

    /// `noun` after "a", or "an" before a vowel letter (good enough for class names).
    public static func withIndefiniteArticle(_ noun: String) -> String {
        let startsWithVowel = noun.first.map { "aeiouAEIOU".contains($0) } ?? false
        return (startsWithVowel ? "an " : "a ") + noun
    }
}
