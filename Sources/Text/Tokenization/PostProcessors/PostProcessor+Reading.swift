extension JSONFile.Object {
    /// The post-processor this object of a `tokenizer.json` describes.
    func postProcessor() throws(TextFileError) -> any PostProcessor {
        let type = try componentType()
        switch type {
        case "RobertaProcessing":
            return RobertaProcessing(classification: try tokenID("cls"), separator: try tokenID("sep"))
        case "BertProcessing":
            return BertProcessing(classification: try tokenID("cls"), separator: try tokenID("sep"))
        case "TemplateProcessing":
            return try template()
        case "ByteLevel":
            // It only trims offsets, which this library does not keep.
            return PostProcessorSequence(processors: [])
        case "Sequence":
            return PostProcessorSequence(processors: try objects("processors").map { object throws(TextFileError) in try object.postProcessor() })
        default:
            throw unsupported("post_processor", type)
        }
    }

    /// The id of a `[token, id]` pair such as RobertaProcessing's `cls`.
    private func tokenID(_ key: String) throws(TextFileError) -> Int {
        let pair = try required(key, as: [Any].self, expected: "a [token, id] pair")
        guard pair.count == 2, pair[0] is String, !JSONFile.isBoolean(pair[1]), let id = pair[1] as? Int, id >= 0 else {
            throw error(.wrongType(path: "\(path).\(key)", expected: "a [token, id] pair"))
        }
        return id
    }

    /// A `TemplateProcessing`: its `single` and `pair` templates, whose special tokens are
    /// entries of `special_tokens` (each with its `ids`).
    private func template() throws(TextFileError) -> TemplateProcessing {
        guard let specials = try object("special_tokens") else { throw error(.missingKey("\(path).special_tokens")) }
        func items(_ key: String) throws(TextFileError) -> [TemplateProcessing.Item] {
            let expected = #"a {"SpecialToken": ...} or {"Sequence": ...} item"#
            return try objects(key).map { item throws(TextFileError) in
                if let special = try item.object("SpecialToken") {
                    let name = try special.required("id", as: String.self, expected: "a string")
                    guard let entry = try specials.object(name) else {
                        throw error(.missingKey("\(specials.path)[\"\(name)\"]"))
                    }
                    let ids = try entry.required("ids", as: [Any].self, expected: "an array of ids")
                    guard let ids = ids as? [Int], !ids.contains(where: { $0 < 0 }) else {
                        throw error(.wrongType(path: "\(entry.path).ids", expected: "an array of ids"))
                    }
                    return .special(ids: ids, typeID: try special.required("type_id", as: Int.self, expected: "an integer"))
                }
                guard let sequence = try item.object("Sequence") else { throw error(.wrongType(path: item.path, expected: expected)) }
                let name = try sequence.required("id", as: String.self, expected: "A or B")
                guard let index = ["A", "B"].firstIndex(of: name) else {
                    throw error(.wrongType(path: "\(sequence.path).id", expected: "A or B"))
                }
                return .sequence(index: index, typeID: try sequence.required("type_id", as: Int.self, expected: "an integer"))
            }
        }
        return TemplateProcessing(single: try items("single"), pair: try items("pair"))
    }
}
