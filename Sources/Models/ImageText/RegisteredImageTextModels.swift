extension ImageTextModelFolder {
    /// Every image-text model type `load(_:)` knows; a new method adds its type here.
    static var registered: [any ImageTextModel.Type] { [ALIGN.self, VLMo.self, ALBEF.self] }
}
