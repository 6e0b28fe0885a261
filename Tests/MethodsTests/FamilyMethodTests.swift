import Foundation
import Methods
import Models
import TestSupport
import Testing

/// The text methods train every text family (the reference folders of Tests/Fixtures/families):
/// the momentum encoder of ESimCSE and CERT is a copy of the family's model, and the trained
/// folder loads back as that family.
@Suite struct FamilyMethodTests {
    @Test(arguments: ["xlm-roberta", "mpnet", "modernbert"]) func simCSEAndESimCSETrainTheFamily(family: String) throws {
        let folder = try TestPaths.fixture("families/\(family)")
        var c = MethodFixtures.configuration(steps: 3)
        c.batchSize = 8
        c.pooling = .mean
        for make in [{ (e: SentenceEncoder) -> any TextMethod in SimCSE(encoder: e, configuration: c) },
                     { (e: SentenceEncoder) -> any TextMethod in try ESimCSE(encoder: e, configuration: c) }] {
            let encoder = try SentenceEncoder(directory: folder, pooling: .mean, dropoutSeed: 3)
            let method = try make(encoder)
            let run = MethodFixtures.temporaryRun()
            let summary = try Trainer(text: method, configuration: c, examples: try MethodFixtures.examples(), output: run).train()
            #expect(summary.steps == 3 && summary.finalLoss.isFinite, "\(family) \(type(of: method))")
            let saved = try SentenceEncoder(directory: run)
            #expect(saved.model.configurationJSON["model_type"] as? String == family)
            #expect(type(of: saved.model) == type(of: encoder.model))
        }
    }
}
