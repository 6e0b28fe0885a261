import Foundation
import Tensors

/// One or two shapes on a black square canvas, with their places: what a ``ShapesDataset``
/// image shows and its captions describe. Coordinates are fractions of the image side, so one
/// scene renders at any size.
public struct ShapeScene: Sendable, Hashable, Codable {
    /// A shape and where it is drawn.
    public struct PlacedShape: Sendable, Hashable, Codable {
        /// What the shape is.
        public var object: ShapeObject
        /// The centre, as fractions of the side (x to the right, y down).
        public var x: Float, y: Float
        /// Brightness in [0.8, 1] applied to the colour (variety without new colour names).
        public var shade: Float

        /// `object` centred at (`x`, `y`) (fractions of the side), its colour times `shade`.
        public init(object: ShapeObject, x: Float, y: Float, shade: Float = 1) {
            self.object = object
            self.x = x
            self.y = y
            self.shade = shade
        }
    }

    /// The shapes (one or two). Two shapes never overlap, and one is clearly left of or above the
    /// other (the offset along the other axis is at most half as large).
    public var shapes: [PlacedShape]

    /// A scene of one or two shapes (which ``random(singleShapeProbability:generator:)`` keeps
    /// apart; here the caller does).
    public init(shapes: [PlacedShape]) {
        ensure(shapes.count == 1 || shapes.count == 2, "ShapeScene: \(shapes.count) shapes, expected 1 or 2")
        self.shapes = shapes
    }

    /// Where shape `i` is relative to shape `j`: along the axis where they are further apart.
    public func relation(of i: Int, to j: Int) -> SpatialRelation {
        let dx = shapes[i].x - shapes[j].x, dy = shapes[i].y - shapes[j].y
        if abs(dx) >= abs(dy) { return dx < 0 ? .leftOf : .rightOf }
        return dy < 0 ? .above : .below
    }

    /// Every true caption: each phrasing of the shape, or of the two shapes in both orders.
    public var captions: [ShapeCaption] {
        if shapes.count == 1 {
            return ShapeCaption.singlePhrasings.indices.map { ShapeCaption(shapes[0].object, phrasing: $0) }
        }
        return [(0, 1), (1, 0)].flatMap { i, j in
            let relation = relation(of: i, to: j)
            return relation.phrasings.indices.map { ShapeCaption(shapes[i].object, relation, shapes[j].object, phrasing: $0) }
        }
    }

    /// Whether `caption` is true of the scene: its shapes are the scene's (each exactly once) and
    /// stand in the stated relation.
    public func isDescribed(by caption: ShapeCaption) -> Bool {
        guard let relation = caption.relation, let second = caption.second else {
            return shapes.count == 1 && shapes[0].object == caption.first
        }
        guard shapes.count == 2 else { return false }
        return [(0, 1), (1, 0)].contains { i, j in
            shapes[i].object == caption.first && shapes[j].object == second && self.relation(of: i, to: j) == relation
        }
    }

    /// A random scene: two shapes with different kinds and colours (so that every swap of a
    /// caption's attributes is false), or one shape with probability `singleShapeProbability`.
    public static func random(singleShapeProbability: Float = 0.2, generator: inout RandomGenerator) -> ShapeScene {
        func object(avoiding other: ShapeObject? = nil) -> ShapeObject {
            let kinds = ShapeKind.allCases.filter { $0 != other?.kind }
            let colors = ShapeColor.allCases.filter { $0 != other?.color }
            return ShapeObject(ShapeSize.allCases[generator.nextInt(below: 2)], colors[generator.nextInt(below: colors.count)],
                               kinds[generator.nextInt(below: kinds.count)])
        }
        let margin: Float = 0.05
        func shade() -> Float { generator.nextUniform(in: 0.8...1) }
        if generator.nextBool(probability: singleShapeProbability) {
            let shape = object(), r = shape.size.radiusFraction + margin
            let x = generator.nextUniform(in: r...(1 - r)), y = generator.nextUniform(in: r...(1 - r))
            return ShapeScene(shapes: [PlacedShape(object: shape, x: x, y: y, shade: shade())])
        }
        let a = object(), b = object(avoiding: a)
        let (ra, rb) = (a.size.radiusFraction, b.size.radiusFraction)
        // Along the main axis, a in the first half and b in the second, a gap between them.
        let gap: Float = 0.03
        let along = (generator.nextUniform(in: (ra + margin)...(0.5 - gap - ra)),
                     generator.nextUniform(in: (0.5 + gap + rb)...(1 - margin - rb)))
        let aAcross = generator.nextUniform(in: (ra + margin)...(1 - margin - ra))
        let limit = (along.1 - along.0) / 2
        let bLow = max(rb + margin, aAcross - limit), bHigh = min(1 - margin - rb, aAcross + limit)
        let bAcross = generator.nextUniform(in: min(bLow, bHigh)...bHigh)
        let horizontal = generator.nextBool(probability: 0.5)
        var placed = [
            PlacedShape(object: a, x: horizontal ? along.0 : aAcross, y: horizontal ? aAcross : along.0, shade: shade()),
            PlacedShape(object: b, x: horizontal ? along.1 : bAcross, y: horizontal ? bAcross : along.1, shade: shade()),
        ]
        // The order of `shapes` says nothing about the layout.
        if generator.nextBool(probability: 0.5) { placed.swapAt(0, 1) }
        return ShapeScene(shapes: placed)
    }

    /// The scene drawn on a black `size x size` RGB canvas, edges antialiased by the pixel
    /// coverage estimated from each shape's signed distance.
    public func rendered(size: Int) -> Image {
        ensure(size >= 8, "ShapeScene.rendered: size \(size) is below 8 pixels")
        var image = Image(channels: 3, height: size, width: size, repeating: 0)
        let side = Float(size), plane = size * size
        for shape in shapes {
            let radius = shape.object.size.radiusFraction * side
            let (cx, cy) = (shape.x * side, shape.y * side)
            let rgb = shape.object.color.rgb
            let color = [rgb.red * shape.shade, rgb.green * shape.shade, rgb.blue * shape.shade]
            // Only pixels within the shape's bounding box (plus one for the antialiased edge).
            let extent = radius * 1.2 + 1
            let rows = max(0, Int(cy - extent))...min(size - 1, Int(cy + extent))
            let columns = max(0, Int(cx - extent))...min(size - 1, Int(cx + extent))
            for y in rows {
                for x in columns {
                    let distance = Self.signedDistance(shape.object.kind, x: Float(x) + 0.5 - cx, y: Float(y) + 0.5 - cy, radius: radius)
                    let coverage = min(max(0.5 - distance, 0), 1)
                    guard coverage > 0 else { continue }
                    for c in 0..<3 {
                        let index = c * plane + y * size + x
                        image.pixels[index] += (color[c] - image.pixels[index]) * coverage
                    }
                }
            }
        }
        return image
    }

    /// The signed distance in pixels from (x, y), relative to the centre, to the outline of a
    /// shape of `radius` (negative inside). Formulas after Inigo Quilez's 2D distance functions.
    static func signedDistance(_ kind: ShapeKind, x: Float, y: Float, radius: Float) -> Float {
        func box(_ x: Float, _ y: Float, halfWidth: Float, halfHeight: Float) -> Float {
            let qx = abs(x) - halfWidth, qy = abs(y) - halfHeight
            return (max(qx, 0) * max(qx, 0) + max(qy, 0) * max(qy, 0)).squareRoot() + min(max(qx, qy), 0)
        }
        switch kind {
        case .circle:
            return (x * x + y * y).squareRoot() - radius
        case .square:
            // The side of a square with the circle's area.
            let half = radius * 0.886
            return box(x, y, halfWidth: half, halfHeight: half)
        case .cross:
            let arm = radius * 0.4
            return min(box(x, y, halfWidth: radius, halfHeight: arm), box(x, y, halfWidth: arm, halfHeight: radius))
        case .triangle:
            // Equilateral, pointing up, its bounding box centred (the formula centres the
            // centroid, a sixth of the height lower); the formula's y axis points up. Half a side
            // of 1.15 radii gives about three quarters of the circle's area.
            let half = radius * 1.15, k = Float(3).squareRoot()
            var px = abs(x) - half, py = -(y - half * k / 6) + half / k
            if px + k * py > 0 { (px, py) = ((px - k * py) / 2, (-k * px - py) / 2) }
            px -= min(max(px, -2 * half), 0)
            let length = (px * px + py * py).squareRoot()
            return py > 0 ? -length : length
        }
    }
}
