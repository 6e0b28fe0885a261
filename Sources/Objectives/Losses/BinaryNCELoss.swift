import Foundation
import Tensors

/// Binary noise-contrastive estimation (Gutmann & Hyvärinen 2010): each data sample is told apart
/// from `k` noise samples by logistic regression on `s(x) - log k - log p_n(x)`, where `s` is the
/// model's unnormalised log-score and `p_n` the noise distribution.
///
/// `loss = -mean_i [log h(x_i) + Σ_j log(1 - h(y_ij))]` with `h = sigmoid(s - log k - log p_n)`,
/// computed as softplus terms (`-log sigmoid(z) = softplus(-z)`) that neither overflow nor lose
/// precision for large scores.
///
/// ```swift
/// let loss = BinaryNCELoss()(dataScores: sPos, noiseScores: sNeg,
///                            dataNoiseLogProbabilities: logPnPos, noiseNoiseLogProbabilities: logPnNeg)
/// ```
public struct BinaryNCELoss {
    /// Creates the loss.
    public init() {}

    /// The loss for `dataScores` `[N]` and `noiseScores` `[N, k]` with the noise distribution's log
    /// probabilities of the same samples (constants, same shapes).
    public func callAsFunction(dataScores: Tensor, noiseScores: Tensor,
                               dataNoiseLogProbabilities: Tensor, noiseNoiseLogProbabilities: Tensor) -> Tensor {
        ensure(dataScores.rank == 1 && noiseScores.rank == 2 && noiseScores.shape[0] == dataScores.shape[0]
                     && dataNoiseLogProbabilities.shape == dataScores.shape && noiseNoiseLogProbabilities.shape == noiseScores.shape,
                     "BinaryNCELoss: scores must be [N] and [N, k] with log noise probabilities of the same shapes, got \(dataScores.shape), \(noiseScores.shape), \(dataNoiseLogProbabilities.shape), \(noiseNoiseLogProbabilities.shape)")
        let logK = Foundation.log(Float(noiseScores.shape[1]))
        let dataLogits = dataScores - dataNoiseLogProbabilities.detached() - logK
        let noiseLogits = noiseScores - noiseNoiseLogProbabilities.detached() - logK
        let perDatum = Self.softplus(-dataLogits) + Self.softplus(noiseLogits).sum(axis: 1)
        return perDatum.mean()
    }

    /// `log(1 + e^z)` as `logsumexp(0, z)`: stable, with the exact derivative `sigmoid(z)` everywhere.
    static func softplus(_ z: Tensor) -> Tensor {
        Tensor.stack([Tensor.zeros(z.shape), z], axis: -1).logSumExp(axis: -1)
    }
}
