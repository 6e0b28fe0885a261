import Foundation
import Objectives
import Tensors

/// Runs reference cases through the objectives and compares with the expected values.
enum ReferenceChecker {
    /// Loss tolerance (relative), and gradient tolerances (relative, or absolute for tiny entries).
    static let lossRelative = 1e-4, gradRelative = 1e-3, gradAbsolute = 1e-6

    /// One line per mismatch over all cases of `file` (empty when every case agrees). Throws for
    /// malformed files and unknown kinds.
    static func mismatches(in file: ReferenceFile) throws -> [String] {
        try file.cases.flatMap { try mismatches(in: $0) }
    }

    static func mismatches(in reference: ReferenceCase) throws -> [String] {
        let label = "case \(reference.index) (\(reference.kind))"
        let inputs = reference.inputs.mapValues(\.tensor)
        for name in reference.grads.keys { inputs[name]!.requiringGradient() }
        let loss = try evaluate(reference, inputs)
        var problems: [String] = []
        let computed = Double(loss.item)
        if !computed.isFinite || abs(computed - reference.loss) > lossRelative * abs(reference.loss) + 1e-7 {
            problems.append("\(label): loss \(computed), expected \(reference.loss)")
        }
        if loss.requiresGrad { loss.backward() }
        for (name, expected) in reference.grads.sorted(by: { $0.key < $1.key }) {
            guard let grad = inputs[name]!.grad else {
                problems.append("\(label): no gradient reached \(name)")
                continue
            }
            guard grad.shape == expected.shape else {
                problems.append("\(label): gradient of \(name) has shape \(grad.shape), expected \(expected.shape)")
                continue
            }
            for (i, (g, e)) in zip(grad.scalars, expected.values).enumerated() {
                let error = abs(Double(g) - Double(e))
                if !Double(g).isFinite || (error > gradAbsolute && error > gradRelative * abs(Double(e))) {
                    problems.append("\(label): d loss / d \(name)[\(i)] = \(g), expected \(e)")
                    break
                }
            }
        }
        return problems
    }

    /// The loss of `reference`'s objective on `inputs`, chosen by kind and params only.
    static func evaluate(_ reference: ReferenceCase, _ inputs: [String: Tensor]) throws -> Tensor {
        func input(_ name: String) throws -> Tensor {
            guard let t = inputs[name] else { throw ReferenceError.malformed("case \(reference.index) (\(reference.kind)): input \(name) is missing") }
            return t
        }
        switch reference.kind {
        case "infonce":
            return InfoNCELoss(temperature: .fixed(try reference.float("tau")))(queries: try input("z1"), keys: try input("z2"))
        case "infonce_symmetric":
            // The formula has no clamp, so the scale is left unbounded here.
            return InfoNCELoss(temperature: .learnableLogScale(try input("log_scale"), scaleRange: nil)).symmetric(try input("img"), try input("txt"))
        case "infonce_hard_negative":
            let nce = InfoNCELoss(temperature: .fixed(try reference.float("tau")), hardNegativeLogWeight: try reference.float("hard_negative_weight"))
            return nce(queries: try input("z1"), keys: try input("z2"), hardNegatives: try input("z3"))
        case "moco":
            let nce = InfoNCELoss(temperature: .fixed(try reference.float("tau")), inBatchNegatives: false)
            return nce(queries: try input("q"), keys: try input("k"), queue: try input("queue"))
        case "esimcse":
            return InfoNCELoss(temperature: .fixed(try reference.float("tau")))(queries: try input("z1"), keys: try input("z2"), queue: try input("queue"))
        case "triplet":
            return TripletMarginLoss(margin: try reference.float("margin"))(anchors: try input("a"), positives: try input("p"), negatives: try input("n"))
        case "triplet_batch_hard":
            return TripletMarginLoss(margin: try reference.float("margin"))(embeddings: try input("x"), labels: try reference.ints("labels"), miner: BatchHardMiner())
        case "npair":
            return NPairLoss(l2Regularization: try reference.float("l2_reg"))(anchors: try input("f"), positives: try input("fp"))
        case "nce":
            let noise = try input("s_neg")
            guard noise.rank == 2, Int(try reference.float("k")) == noise.shape[1] else {
                throw ReferenceError.malformed("case \(reference.index) (nce): k does not match s_neg's shape \(noise.shape)")
            }
            return BinaryNCELoss()(dataScores: try input("s_pos"), noiseScores: noise,
                                   dataNoiseLogProbabilities: try reference.paramTensor("log_pn_pos"),
                                   noiseNoiseLogProbabilities: try reference.paramTensor("log_pn_neg"))
        case "supcon":
            return SupervisedContrastiveLoss(temperature: .fixed(try reference.float("tau")))(try input("x"), labels: try reference.ints("labels"))
        case "alignment":
            return Alignment(alpha: try reference.float("alpha")).loss(try input("x"), try input("y"))
        case "uniformity":
            return Uniformity(t: try reference.float("t")).loss(try input("x"))
        case "itc_distill":
            let nce = InfoNCELoss(temperature: .fixed(try reference.float("tau")))
            let alpha = try reference.float("alpha")
            let imageToText = nce(queries: try input("img"), keys: try input("txt_m"), queue: try input("txt_queue"),
                                  targets: .distilled(teacherQueries: try input("img_m"), weight: alpha))
            let textToImage = nce(queries: try input("txt"), keys: try input("img_m"), queue: try input("img_queue"),
                                  targets: .distilled(teacherQueries: try input("txt_m"), weight: alpha))
            return (imageToText + textToImage) * 0.5
        default:
            throw ReferenceError.unknownKind(reference.kind, caseIndex: reference.index)
        }
    }
}
