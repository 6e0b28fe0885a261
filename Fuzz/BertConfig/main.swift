import Foundation
import FuzzSupport
import Models

// Reads the input as a Hugging Face `config.json`. An accepted configuration must survive what
// `SentenceEncoder.save(to:)` does with it: serialised as JSON and read back, it is unchanged.
runFuzzer { data, size in
    let file = ScratchFile.write(data, size, as: "config.json")
    guard let configuration = try? BertConfiguration(contentsOf: file) else { return 0 }
    do {
        let saved = try JSONSerialization.data(withJSONObject: configuration.jsonObject, options: [.sortedKeys])
        let reread = try BertConfiguration(contentsOf: ScratchFile.write(saved, as: "saved-config.json"))
        guard reread == configuration else { fatalError("changed by saving: \(configuration) became \(reread)") }
    } catch {
        fatalError("an accepted configuration does not round-trip: \(error)")
    }
    return 0
}
