import Foundation
import TestSupport
import Testing

@Suite struct ReferenceParityTests {
    @Test func everyReferenceCaseMatches() throws {
        let url = try ReferenceFile.defaultURL()
        let file = try ReferenceFile(url: url)
        #expect(!file.cases.isEmpty)
        let problems = try ReferenceChecker.mismatches(in: file)
        #expect(problems.isEmpty, "\(problems.count) mismatches over \(file.cases.count) cases:\n\(problems.joined(separator: "\n"))")
        print("reference parity: \(file.cases.count) cases from \(url.path), \(problems.count) mismatches")
    }

    @Test func aWrongExpectedLossIsReported() throws {
        let problems = try ReferenceChecker.mismatches(in: perturbed { $0["loss"] = ($0["loss"] as! Double) * 1.001 + 1e-3 })
        #expect(problems.contains { $0.hasPrefix("case 0 ") && $0.contains("loss") })
    }

    @Test func aWrongExpectedGradientIsReported() throws {
        let problems = try ReferenceChecker.mismatches(in: perturbed { reference in
            var grads = reference["grads"] as! [String: Any]
            let name = grads.keys.sorted()[0]
            grads[name] = shiftingFirstNumber(grads[name]!)
            reference["grads"] = grads
        })
        #expect(problems.contains { $0.hasPrefix("case 0 ") && $0.contains("d loss") })
    }

    @Test func anUnknownKindFailsLoudly() throws {
        #expect(throws: ReferenceError.self) { try ReferenceChecker.mismatches(in: perturbed { $0["kind"] = "no_such_objective" }) }
    }

    /// `json` (a number or nested lists) with its first number moved well outside the tolerance.
    private func shiftingFirstNumber(_ json: Any) -> Any {
        if var list = json as? [Any] {
            list[0] = shiftingFirstNumber(list[0])
            return list
        }
        let value = (json as! NSNumber).doubleValue
        return value + 0.01 + abs(value) * 0.01
    }

    /// The reference file with its first case changed by `edit`, written to a temporary copy and read back.
    private func perturbed(_ edit: (inout [String: Any]) -> Void) throws -> ReferenceFile {
        var root = try JSONSerialization.jsonObject(with: Data(contentsOf: ReferenceFile.defaultURL())) as! [String: Any]
        var cases = root["cases"] as! [Any]
        var first = cases[0] as! [String: Any]
        edit(&first)
        cases[0] = first
        root["cases"] = cases
        let copy = TestPaths.temporaryPath("losses-perturbed.json")
        try JSONSerialization.data(withJSONObject: root).write(to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }
        return try ReferenceFile(url: copy)
    }
}
