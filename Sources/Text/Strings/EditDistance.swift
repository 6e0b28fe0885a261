/// The edit distance between two words, for "did you mean" hints on mistyped names.
public enum EditDistance {
    /// Insertions, deletions, substitutions and transpositions of adjacent characters that turn
    /// `a` into `b` (the optimal string alignment distance).
    public static func between(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        var d = (0...x.count).map { i in (0...y.count).map { j in i == 0 ? j : j == 0 ? i : 0 } }
        for i in stride(from: 1, through: x.count, by: 1) {
            for j in stride(from: 1, through: y.count, by: 1) {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[x.count][y.count]
    }

    /// The candidate a mistyped `name` most likely meant: the closest one when it is close enough
    /// (at most 2 edits, or a third of its length) or starts with `name` (`fashion` for
    /// `fashion-mnist`); else `nil`.
    public static func closest(to name: String, among candidates: [String]) -> String? {
        if name.count >= 3, let extended = candidates.first(where: { $0.hasPrefix(name) }) { return extended }
        guard let closest = candidates.min(by: { between(name, $0) < between(name, $1) }),
              between(name, closest) <= max(2, closest.count / 3) else { return nil }
        return closest
    }

    /// ` (did you mean 'x'?)` with ``closest(to:among:)``, or empty.
    public static func suggestion(for name: String, among candidates: [String]) -> String {
        closest(to: name, among: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    }
}
