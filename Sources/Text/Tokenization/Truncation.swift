/// Truncation of sentence pairs, "longest first" as Hugging Face does it by default.
enum Truncation {
    /// How many tokens of each segment to keep so that together they fit in `capacity`: one
    /// token at a time is removed from the longer segment, from the second on a tie.
    static func longestFirst(_ first: Int, _ second: Int, capacity: Int) -> (first: Int, second: Int) {
        var first = first, second = second
        while first + second > capacity {
            if first > second { first -= 1 } else { second -= 1 }
        }
        return (first, second)
    }
}
