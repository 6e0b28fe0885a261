import TestSupport
import Foundation
import Testing
@testable import Text

/// The pipeline's components one at a time, on inputs whose results are known independently of
/// this code: sentencepiece's own normalisation of the reference texts, segmentations worked out
/// by hand, and the examples of `tokenizers`' documentation.
@Suite struct TokenizerComponentTests {
    // MARK: - Precompiled (sentencepiece's character map)

    /// XLM-R's `precompiled_charsmap` (the reference tokenizer's, sentencepiece's `nmt_nfkc`).
    static func xlmRobertaCharsmap() throws -> PrecompiledNormalizer {
        let json = try JSONFile(TestPaths.fixture("families/xlm-roberta/tokenizer.json"))
        let normalizer = try #require(json.root["normalizer"] as? [String: Any])
        let charsmap = try #require((normalizer["precompiled_charsmap"] as? String).flatMap { Data(base64Encoded: $0) })
        return try #require(PrecompiledNormalizer(charsmap: Array(charsmap)))
    }

    /// NFKC-like rewrites: full-width forms, odd whitespace, ligatures, half-width katakana,
    /// ellipsis, circled digits; composed pairs of letter and accent. These are the rules written
    /// in the charsmap (what `tokenizers` 0.23's `Precompiled` gives with it).
    @Test(arguments: [
        ("ＡＢＣ１２３", "ABC123"), ("a\u{A0}b", "a b"), ("a\u{3000}b", "a b"), ("x\u{200B}y", "x y"), ("a\tb\nc", "a b c"),
        ("ﬁne ﬂow ﬀ", "fine flow ff"), ("ｶﾀｶﾅ", "カタカナ"), ("…", "..."), ("①②", "12"), ("™ ㎏ Ⅻ", "TM kg XII"),
        ("e\u{301}", "é"),
    ])
    func precompiledRewritesWhatTheCharsmapSays(_ text: String, _ normalized: String) throws {
        #expect(try Self.xlmRobertaCharsmap().normalize(text).unicodeScalars.elementsEqual(normalized.unicodeScalars))
    }

    /// A grapheme shorter than 6 bytes is replaced whole by the shortest rule that is a prefix of
    /// it: full-width A with an acute accent loses the accent (`spm_precompiled`, not
    /// sentencepiece, which would keep it).
    @Test func precompiledReplacesAWholeGraphemeByItsShortestRule() throws {
        #expect(try Self.xlmRobertaCharsmap().normalize("Ａ\u{301}b") == "Ab")
    }

    /// Text sentencepiece leaves alone stays as it is: the accented reference text, whose
    /// sentencepiece pieces (`sentencepiece_pieces` of the reference) keep `ÀÉÎÕÜ` and `ß`.
    @Test func precompiledKeepsWhatSentencepieceKeeps() throws {
        let charsmap = try Self.xlmRobertaCharsmap()
        for text in ["Ünïcödé ÀÉÎÕÜ çedilla ß", "東京は日本の首都です。", "Emoji test 😀👍🏽 done"] {
            #expect(charsmap.normalize(text) == text)
        }
        #expect(PrecompiledNormalizer(charsmap: [8, 0, 0]) == nil)
        #expect(PrecompiledNormalizer(charsmap: [8, 0, 0, 0, 1, 2, 3, 4]) == nil)
    }

    /// The XLM-R tokenizer sees full-width text as plain text, as sentencepiece would.
    @Test func xlmRobertaTokenizesFullWidthTextAsPlainText() throws {
        let tokenizer = try PipelineTokenizer(directory: TestPaths.fixture("families/xlm-roberta"))
        #expect(tokenizer.tokenize("Ｔｈｅ ｍａｎ") == tokenizer.tokenize("The man"))
        #expect(tokenizer.tokenize("The\u{A0}man") == tokenizer.tokenize("The man"))
    }

    // MARK: - Unigram

    /// Scores (log probabilities) chosen so the best segmentation is worked out by hand.
    static let unigram = UnigramModel(
        pieces: [("<unk>", 0), ("h", -3), ("e", -3), ("l", -2), ("o", -3.5), ("he", -2.5), ("ll", -2.2), ("hell", -4), ("llo", -4.5), ("hello", -9)],
        unknown: 0, byteFallback: false)

    static func ids(_ model: some TokenizerModel, _ text: String) -> [Int] {
        var ids: [Int] = []
        model.appendIDs(of: Array(text.unicodeScalars), to: &ids)
        return ids
    }

    /// "hello": he + llo = -7.0 beats hell + o (-7.5), he + ll + o (-8.2), hello (-9) and every
    /// other cut. An unknown character scores the lowest score less 10 (-19) and consecutive ones
    /// are one unknown token.
    @Test func unigramFindsTheBestSegmentation() {
        #expect(Self.ids(Self.unigram, "hello") == [5, 8])
        #expect(Self.ids(Self.unigram, "hexo") == [5, 0, 4])
        #expect(Self.ids(Self.unigram, "xyhe") == [0, 5])
        #expect(Self.ids(Self.unigram, "") == [])
    }

    /// On a tie the path found first stays: "ab" (-2) is reached before a + b (-2).
    @Test func unigramKeepsTheFirstPathOnATie() {
        let model = UnigramModel(pieces: [("<unk>", 0), ("a", -1), ("b", -1), ("ab", -2)], unknown: 0, byteFallback: false)
        #expect(Self.ids(model, "ab") == [3])
    }

    /// With byte fallback an unknown stretch is spelled by its bytes' tokens when all of them
    /// exist, and is unknown otherwise.
    @Test func unigramFallsBackToBytes() {
        let model = UnigramModel(
            pieces: [("<unk>", 0), ("h", -3), ("e", -3), ("<0x78>", -1), ("<0xC3>", -1), ("<0xA9>", -1)], unknown: 0, byteFallback: true)
        #expect(Self.ids(model, "hxeé") == [1, 3, 2, 4, 5])
        #expect(Self.ids(model, "hxq") == [1, 0])
    }

    /// Canonically equivalent spellings (equal as Swift strings) are different tokens, as in
    /// `tokenizers`, which compares bytes: a composed and a decomposed `é`, and combining marks
    /// in either order (whose pieces must not share a cache entry either).
    @Test func canonicallyEquivalentSpellingsAreDifferentTokens() throws {
        let unigram = UnigramModel(pieces: [("<unk>", 0), ("\u{E9}", -1), ("e\u{301}", -1)], unknown: 0, byteFallback: false)
        #expect(Self.ids(unigram, "\u{E9}") == [1] && Self.ids(unigram, "e\u{301}") == [2])
        #expect(unigram.id(of: "e\u{301}") == 2)
        let json = #"{"model": {"type": "BPE", "vocab": {"<pad>": 0, "\u0327": 1, "\u0308": 2}, "merges": []}}"#
        let bpe = try PipelineTokenizer(tokenizerJSONFile: TestPaths.write(json, named: "tokenizer.json"))
        #expect(bpe.pieceIDs("\u{327}\u{308}") == [1, 2])
        #expect(bpe.pieceIDs("\u{308}\u{327}") == [2, 1])
    }

    // MARK: - Splits

    /// The examples of `tokenizers`' `SplitDelimiterBehavior` documentation.
    @Test(arguments: [
        (SplitBehavior.removed, ["the", "final", "countdown"]),
        (.isolated, ["the", "-", "final", "-", "-", "countdown"]),
        (.mergedWithPrevious, ["the-", "final-", "-", "countdown"]),
        (.mergedWithNext, ["the", "-final", "-", "-countdown"]),
        (.contiguous, ["the", "-", "final", "--", "countdown"]),
    ])
    func splitBehaviours(_ behavior: SplitBehavior, _ pieces: [String]) {
        let piece = TextPiece(scalars: Array("the-final--countdown".unicodeScalars), startsInput: true)
        let split = SplitPreTokenizer(pattern: LiteralPattern(literal: ["-"]), behavior: behavior).split([piece])
        #expect(split.map { String(scalars: $0.scalars) } == pieces)
        #expect(split.map(\.startsInput) == [true] + [Bool](repeating: false, count: pieces.count - 1))
    }

    @Test func invertedRegexAndCharacterClassSplits() throws {
        func pieces(_ preTokenizer: some PreTokenizer, _ text: String) -> [String] {
            preTokenizer.split([TextPiece(scalars: Array(text.unicodeScalars), startsInput: true)]).map { String(scalars: $0.scalars) }
        }
        let digits = try RegexPattern(#"\d+"#)
        #expect(pieces(SplitPreTokenizer(pattern: InvertedPattern(base: digits), behavior: .removed), "ab12cd3") == ["12", "3"])
        #expect(pieces(SplitPreTokenizer(pattern: InvertedPattern(base: digits), behavior: .isolated), "ab12cd3") == ["ab", "12", "cd", "3"])
        #expect(pieces(SplitPreTokenizer.whitespace, "Hey, friend! ça-va__x  ok?!") == ["Hey", ",", "friend", "!", "ça", "-", "va__x", "ok", "?!"])
        #expect(pieces(SplitPreTokenizer.digits(individually: false), "a123b45") == ["a", "123", "b", "45"])
        #expect(pieces(SplitPreTokenizer.digits(individually: true), "a12") == ["a", "1", "2"])
        #expect(pieces(SplitPreTokenizer.punctuation(.isolated), "hi!?there") == ["hi", "!", "?", "there"])
        #expect(pieces(SplitPreTokenizer.punctuation(.contiguous), "hi!?there") == ["hi", "!?", "there"])
    }

    /// Oniguruma's `\w` takes marks and `\d` only decimal digits, unlike Swift's.
    @Test func regexClassesReadAsOniguruma() throws {
        let word = try RegexPattern(#"\w+"#), digit = try RegexPattern(#"\d"#)
        #expect(word.segments(of: Array("e\u{301}x y".unicodeScalars)).filter(\.isMatch).map(\.range) == [0..<3, 4..<5])
        #expect(digit.segments(of: Array("²①7".unicodeScalars)).filter(\.isMatch).map(\.range) == [2..<3])
    }

    // MARK: - Metaspace

    /// A byte-pair vocabulary of `▁`, `a`, `b` and `▁a`, with an added token `<x>`.
    static func metaspaceTokenizer(_ scheme: String) throws -> PipelineTokenizer {
        let json = #"""
        {"added_tokens": [{"id": 4, "content": "<x>", "special": true}],
         "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "\#(scheme)", "split": true},
         "model": {"type": "BPE", "vocab": {"▁": 0, "a": 1, "b": 2, "▁a": 3, "<x>": 4, "<pad>": 5}, "merges": [["▁", "a"]]}}
        """#
        return try PipelineTokenizer(tokenizerJSONFile: TestPaths.write(json, named: "tokenizer.json"))
    }

    /// `always` marks every piece as a word start, `first` only the piece that starts the text
    /// (not the one after an added token), `never` none; spaces always become `▁` and start pieces.
    @Test(arguments: [("always", [3, 4, 3], [0, 2, 3]), ("first", [3, 4, 1], [0, 2, 3]), ("never", [1, 4, 1], [2, 3])])
    func metaspacePrependSchemes(_ scheme: String, _ aTokenA: [Int], _ bSpaceA: [Int]) throws {
        let tokenizer = try Self.metaspaceTokenizer(scheme)
        #expect(tokenizer.pieceIDs("a<x>a") == aTokenA)
        #expect(tokenizer.pieceIDs("b a") == bSpaceA)
        #expect(tokenizer.pieceIDs(" a") == [3])
    }

    // MARK: - Post-processors and truncation

    /// A WordPiece vocabulary `[UNK] [CLS] [SEP] [PAD] a b c` and a post-processor.
    static func tokenizer(postProcessor: String) throws -> PipelineTokenizer {
        let json = #"""
        {"pre_tokenizer": {"type": "WhitespaceSplit"}, "post_processor": \#(postProcessor),
         "model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "[PAD]": 3, "a": 4, "b": 5, "c": 6}}}
        """#
        return try PipelineTokenizer(tokenizerJSONFile: TestPaths.write(json, named: "tokenizer.json"))
    }

    static let template = #"""
    {"type": "TemplateProcessing",
     "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
     "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
              {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "[EOS]", "type_id": 2}}],
     "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [1], "tokens": ["[CLS]"]}, "[SEP]": {"id": "[SEP]", "ids": [2], "tokens": ["[SEP]"]},
                        "[EOS]": {"id": "[EOS]", "ids": [2, 3], "tokens": ["[SEP]", "[PAD]"]}}}
    """#

    /// Each template item brings its token type; a special token may stand for several ids.
    @Test func templatePairsCarryTheTemplatesTokenTypes() throws {
        let tokenizer = try Self.tokenizer(postProcessor: Self.template)
        let pair = tokenizer.encode(pair: ("a b", "c a b"), maxLength: 64)
        #expect(pair.ids == [1, 4, 5, 2, 6, 4, 5, 2, 3])
        #expect(pair.tokenTypeIDs == [0, 0, 0, 0, 1, 1, 1, 2, 2])
        #expect(tokenizer.encode("a", maxLength: 64) == [1, 4, 2])
        #expect(tokenizer.specialTokens.classification == 1 && tokenizer.specialTokens.separator == 2)
    }

    /// Longest first as `tokenizers` does it: a pair that does not fit is cut to half the room
    /// each, the odd token going to the longer sequence, or to the second on a tie (Python's
    /// one-token-at-a-time removal gives it to the first when the second is longer).
    @Test func pairsTruncateLongestFirstAsTokenizersDoes() throws {
        let tokenizer = try Self.tokenizer(postProcessor: Self.template)
        func counts(_ first: Int, _ second: Int, _ maxLength: Int) -> [Int] {
            let a = Array(repeating: "a", count: first).joined(separator: " "), b = Array(repeating: "b", count: second).joined(separator: " ")
            let ids = tokenizer.encode(pair: (a, b), maxLength: maxLength).ids
            return [ids.filter { $0 == 4 }.count, ids.filter { $0 == 5 }.count]
        }
        #expect(counts(10, 10, 12) == [4, 4])
        #expect(counts(11, 10, 13) == [5, 4])
        #expect(counts(10, 11, 13) == [4, 5])
        #expect(counts(2, 10, 13) == [2, 7])
        #expect(counts(3, 2, 13) == [3, 2])
    }

    @Test func bertRobertaAndNoPostProcessor() throws {
        let bert = try Self.tokenizer(postProcessor: #"{"type": "BertProcessing", "sep": ["[SEP]", 2], "cls": ["[CLS]", 1]}"#)
        #expect(bert.encode(pair: ("a b", "c"), maxLength: 64) == Encoding(ids: [1, 4, 5, 2, 6, 2], tokenTypeIDs: [0, 0, 0, 0, 1, 1]))
        let roberta = try Self.tokenizer(postProcessor: #"{"type": "RobertaProcessing", "sep": ["[SEP]", 2], "cls": ["[CLS]", 1]}"#)
        #expect(roberta.encode(pair: ("a b", "c"), maxLength: 64) == Encoding(ids: [1, 4, 5, 2, 2, 6, 2], tokenTypeIDs: [0, 0, 0, 0, 0, 0, 0]))
        let none = try Self.tokenizer(postProcessor: "null")
        #expect(none.encode(pair: ("a b", "c"), maxLength: 64) == Encoding(ids: [4, 5, 6], tokenTypeIDs: [0, 0, 1]))
        #expect(none.specialTokens.classification == nil && none.classificationID == 3 && none.paddingID == 3)
    }

    // MARK: - Together

    /// Many components in one file, with what `tokenizers` 0.23 gives for it: NFKC, a regex
    /// replacement, lower-casing and stripping; a regex split then Metaspace with `first` (which
    /// each sequence of a pair starts anew); Unigram; a normalised added token taking the space
    /// on its left; and a template whose pair has no start token.
    @Test func manyComponentsTogether() throws {
        let json = #"""
        {"added_tokens": [{"id": 0, "content": "<s>", "special": true}, {"id": 1, "content": "<pad>", "special": true},
                          {"id": 2, "content": "</s>", "special": true}, {"id": 6, "content": "hi", "lstrip": true, "normalized": true}],
         "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": " "},
                                                             {"type": "Lowercase"}, {"type": "Strip", "strip_left": true, "strip_right": true}]},
         "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
             {"type": "Split", "pattern": {"Regex": "\\w+|[^\\w\\s]+"}, "behavior": "Isolated", "invert": false},
             {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true}]},
         "post_processor": {"type": "TemplateProcessing",
             "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
             "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
             "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]}, "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}},
         "model": {"type": "Unigram", "unk_id": 3, "byte_fallback": true,
                   "vocab": [["<s>", 0.0], ["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0], ["▁", -2.0], ["a", -3.0], ["hi", -4.0], ["▁a", -2.5], ["<0x41>", -9.0]]}}
        """#
        let tokenizer = try PipelineTokenizer(tokenizerJSONFile: TestPaths.write(json, named: "tokenizer.json"))
        #expect(tokenizer.encode("Hi   a, A hi", maxLength: 64) == [0, 6, 4, 5, 3, 4, 5, 6, 2])
        #expect(tokenizer.encode(pair: ("Hi   a, A hi", "a"), maxLength: 64) == Encoding(ids: [6, 4, 5, 3, 4, 5, 6, 2, 7], tokenTypeIDs: [0, 0, 0, 0, 0, 0, 0, 0, 1]))
    }
}
