import Tensors
import Testing
import Vision

/// The procedural Shapes dataset: determinism, captions, hard negatives, rendering.
@Suite struct ShapesTests {
    @Test func sameSeedSamePixels() {
        let a = ShapesDataset(split: .train, count: 50, seed: 7), b = ShapesDataset(split: .train, count: 50, seed: 7)
        #expect(a.examples == b.examples)
        // An example does not depend on how many are generated.
        #expect(ShapesDataset(split: .train, count: 10, seed: 7).examples == Array(a.examples.prefix(10)))
        #expect(ShapesDataset(split: .test, count: 50, seed: 7).examples != a.examples)
        #expect(ShapesDataset(split: .train, count: 50, seed: 8).examples != a.examples)
        #expect(a.examples.allSatisfy { $0.image.channels == 3 && $0.image.height == 32 && $0.image.width == 32 })
        #expect(ShapesDataset(split: .train, count: 2, size: 48).examples[0].image.height == 48)
    }

    @Test func captionsAreTrueAndHardNegativesFalse() {
        let data = ShapesDataset(split: .train, count: 500, seed: 1)
        var singles = 0, negatives = 0
        for example in data.examples {
            let scene = example.scene
            #expect(!example.captions.isEmpty && example.captions.allSatisfy(scene.isDescribed))
            if scene.shapes.count == 1 {
                singles += 1
                #expect(example.captions.allSatisfy { $0.hardNegatives.isEmpty })
                continue
            }
            #expect(scene.shapes[0].object.kind != scene.shapes[1].object.kind && scene.shapes[0].object.color != scene.shapes[1].object.color)
            #expect(example.captions.count == 4)
            for caption in example.captions {
                // Colours, kinds and places always differ; sizes only sometimes.
                #expect(caption.hardNegative(.swappedColors) != nil && caption.hardNegative(.swappedKinds) != nil)
                #expect(caption.hardNegative(.swappedPositions) != nil)
                #expect((caption.hardNegative(.swappedSizes) == nil) == (caption.first.size == caption.second?.size))
                for negative in caption.hardNegatives {
                    negatives += 1
                    #expect(!scene.isDescribed(by: negative), "\(negative) describes \(caption)")
                    // The same words, bound differently.
                    #expect(negative.text.split(separator: " ").sorted() == caption.text.split(separator: " ").sorted())
                }
            }
        }
        #expect(singles > 60 && singles < 140 && negatives > 2000)  // p = 0.2 of single shapes
    }

    @Test func captionedDataListsEachSceneFalseCaptions() throws {
        let dataset = ShapesDataset(split: .test, count: 200, size: 16, seed: 3)
        let data = dataset.captioned()
        let negatives = try #require(data.negativeCaptions)
        for (example, falseTexts) in zip(dataset.examples, negatives) {
            let expected = Set(example.captions.flatMap(\.hardNegatives).map(\.text))
            #expect(Set(falseTexts) == expected && falseTexts.count == expected.count)
            #expect(falseTexts.allSatisfy { !example.captions.map(\.text).contains($0) })
            #expect(falseTexts.isEmpty == (example.scene.shapes.count == 1))
        }
    }

    @Test func captionTexts() {
        let circle = ShapeObject(.small, .red, .circle), square = ShapeObject(.large, .blue, .square)
        let caption = ShapeCaption(circle, .leftOf, square)
        #expect(caption.text == "a small red circle left of a large blue square")
        #expect(ShapeCaption(circle, .above, square, phrasing: 1).text == "a small red circle over a large blue square")
        #expect(caption.hardNegative(.swappedColors)?.text == "a small blue circle left of a large red square")
        #expect(caption.hardNegative(.swappedKinds)?.text == "a small red square left of a large blue circle")
        #expect(caption.hardNegative(.swappedSizes)?.text == "a large red circle left of a small blue square")
        #expect(caption.hardNegative(.swappedPositions)?.text == "a large blue square left of a small red circle")
        #expect(ShapeCaption(circle).text == "a small red circle" && ShapeCaption(circle, phrasing: 1).text == "a picture of a small red circle")
        #expect(ShapeCaption(circle).hardNegatives.isEmpty)

        let scene = ShapeScene(shapes: [
            .init(object: square, x: 0.75, y: 0.5, shade: 1), .init(object: circle, x: 0.25, y: 0.6, shade: 1),
        ])
        #expect(scene.captions.map(\.text) == [
            "a large blue square right of a small red circle", "a large blue square to the right of a small red circle",
            "a small red circle left of a large blue square", "a small red circle to the left of a large blue square",
        ])
        let captioned = ShapesDataset(split: .test, count: 3).captioned()
        #expect(captioned.count == 3 && captioned.captions.allSatisfy { $0.count == 2 || $0.count == 4 })
    }

    @Test func renderingColoursShapesAndEdges() {
        let circle = ShapeScene(shapes: [.init(object: ShapeObject(.large, .red, .circle), x: 0.5, y: 0.5, shade: 1)])
        let image = circle.rendered(size: 32)
        // The centre has the colour, the corners the black background, the edge partial coverage.
        let red = ShapeColor.red.rgb
        #expect(image[0, 16, 16] == red.red && image[1, 16, 16] == red.green && image[2, 16, 16] == red.blue)
        #expect((0..<3).allSatisfy { image[$0, 0, 0] == 0 && image[$0, 31, 31] == 0 })
        let partial = image.pixels[0..<1024].filter { $0 > 0.05 && $0 < red.red - 0.05 }.count
        #expect(partial > 10)
        // Symmetric about the centre line (pixel centres at 16 - x - 0.5 and 16 + x + 0.5).
        #expect(Sample.maxDifference(image, image.horizontallyFlipped()) < 1e-5)
        // Area: a circle of radius 0.19 * 32 covers about pi r^2 pixels.
        let area = image.pixels[0..<1024].reduce(0, +) / red.red
        let r = 0.19 * Float(32)
        #expect(abs(area - .pi * r * r) < 2)
        // Every kind covers a comparable area (the square exactly the circle's).
        for kind in ShapeKind.allCases {
            let scene = ShapeScene(shapes: [.init(object: ShapeObject(.large, .green, kind), x: 0.5, y: 0.5, shade: 1)])
            let covered = scene.rendered(size: 32).pixels[1024..<2048].reduce(0, +) / ShapeColor.green.rgb.green
            #expect(covered > 0.6 * area && covered < 1.1 * area, "\(kind): \(covered) pixels, the circle \(area)")
        }
        let triangle = ShapeScene(shapes: [.init(object: ShapeObject(.large, .yellow, .triangle), x: 0.5, y: 0.5, shade: 1)]).rendered(size: 64)
        #expect(triangle[0, 22, 32] > 0.5 && triangle[0, 22, 24] == 0 && triangle[0, 38, 24] > 0.5)  // apex up, wide base
    }
}
