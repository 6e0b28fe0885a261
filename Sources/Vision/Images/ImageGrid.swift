import Tensors

extension Image {
    /// The images tiled row by row, `columns` per row, `padding` pixels of gray between them and
    /// each scaled `scale` times by pixel repetition: a sheet to look at (save it with
    /// ``writePNG(to:)``). Images may differ in size (each cell fits the largest); the sheet is
    /// RGB if any image is.
    public static func grid(_ images: [Image], columns: Int, padding: Int = 2, scale: Int = 1) -> Image {
        ensure(!images.isEmpty && columns > 0 && padding >= 0 && scale > 0,
               "Image.grid: \(images.count) images, \(columns) columns, padding \(padding), scale \(scale)")
        let channels = images.contains { $0.channels == 3 } ? 3 : 1
        let cellHeight = images.map(\.height).max()! * scale, cellWidth = images.map(\.width).max()! * scale
        let rows = (images.count + columns - 1) / columns
        let height = padding + rows * (cellHeight + padding), width = padding + columns * (cellWidth + padding)
        var sheet = Image(channels: channels, height: height, width: width, repeating: 0.5)
        for (index, image) in images.enumerated() {
            let source = channels == 3 ? image.rgb() : image
            let top = padding + (index / columns) * (cellHeight + padding), left = padding + (index % columns) * (cellWidth + padding)
            for c in 0..<channels {
                for y in 0..<(image.height * scale) {
                    for x in 0..<(image.width * scale) { sheet[c, top + y, left + x] = source[c, y / scale, x / scale] }
                }
            }
        }
        return sheet
    }
}
