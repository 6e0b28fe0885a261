// `PromptTemplates.clipImageNet` comes from OpenAI's CLIP repository,
// notebooks/Prompt_Engineering_for_ImageNet.ipynb (https://github.com/openai/CLIP, commit
// 0f8656596bf596470b4d6d84ab1a086545b4ffaa), under its MIT licence:
//
// Copyright (c) 2021 OpenAI
//
// Permission is hereby granted, free of charge, to any person obtaining a copy of this software
// and associated documentation files (the "Software"), to deal in the Software without
// restriction, including without limitation the rights to use, copy, modify, merge, publish,
// distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
// Software is furnished to do so, subject to the following conditions:
//
// The above copyright notice and this permission notice shall be included in all copies or
// substantial portions of the Software.
//
// THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
// BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
// NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
// DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
// OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

import Foundation
import Text

/// Prompt templates for zero-shot classification: `{}` stands for the class name.
public enum PromptTemplates {
    /// CLIP's prompt ensemble for ImageNet: the 80 templates of Radford et al. 2021, in the order
    /// of OpenAI's prompt-engineering notebook (provenance and licence at the top of this file);
    /// `contrast eval zeroshot --images` uses them by default.
    public static let clipImageNet = [
        "a bad photo of a {}.", "a photo of many {}.", "a sculpture of a {}.", "a photo of the hard to see {}.",
        "a low resolution photo of the {}.", "a rendering of a {}.", "graffiti of a {}.", "a bad photo of the {}.",
        "a cropped photo of the {}.", "a tattoo of a {}.", "the embroidered {}.", "a photo of a hard to see {}.",
        "a bright photo of a {}.", "a photo of a clean {}.", "a photo of a dirty {}.", "a dark photo of the {}.",
        "a drawing of a {}.", "a photo of my {}.", "the plastic {}.", "a photo of the cool {}.",
        "a close-up photo of a {}.", "a black and white photo of the {}.", "a painting of the {}.", "a painting of a {}.",
        "a pixelated photo of the {}.", "a sculpture of the {}.", "a bright photo of the {}.", "a cropped photo of a {}.",
        "a plastic {}.", "a photo of the dirty {}.", "a jpeg corrupted photo of a {}.", "a blurry photo of the {}.",
        "a photo of the {}.", "a good photo of the {}.", "a rendering of the {}.", "a {} in a video game.",
        "a photo of one {}.", "a doodle of a {}.", "a close-up photo of the {}.", "a photo of a {}.",
        "the origami {}.", "the {} in a video game.", "a sketch of a {}.", "a doodle of the {}.",
        "a origami {}.", "a low resolution photo of a {}.", "the toy {}.", "a rendition of the {}.",
        "a photo of the clean {}.", "a photo of a large {}.", "a rendition of a {}.", "a photo of a nice {}.",
        "a photo of a weird {}.", "a blurry photo of a {}.", "a cartoon {}.", "art of a {}.",
        "a sketch of the {}.", "a embroidered {}.", "a pixelated photo of a {}.", "itap of the {}.",
        "a jpeg corrupted photo of the {}.", "a good photo of a {}.", "a plushie {}.", "a photo of the nice {}.",
        "a photo of the small {}.", "a photo of the weird {}.", "the cartoon {}.", "art of the {}.",
        "a drawing of the {}.", "a photo of the large {}.", "a black and white photo of a {}.", "the plushie {}.",
        "a dark photo of a {}.", "itap of a {}.", "graffiti of the {}.", "a toy {}.",
        "itap of my {}.", "a photo of a cool {}.", "a photo of a small {}.", "a tattoo of the {}.",
    ]

    /// The templates of a text file, one per line (blank lines skipped, spaces around kept out),
    /// each with a `{}` for the class name.
    ///
    /// - Throws: ``TextFileError`` naming the file, and the line of a template without `{}`: a
    ///   missing or unreadable file, one without templates.
    public static func read(_ file: URL) throws(TextFileError) -> [String] {
        var templates: [String] = []
        for line in try TextFile.lines(of: file) {
            let template = line.text.trimmingCharacters(in: .whitespaces)
            guard !template.isEmpty else { continue }
            guard template.contains("{}") else {
                throw TextFileError(file: file, line: line.number, .invalidRecord("the template has no {} for the class name"))
            }
            templates.append(template)
        }
        guard !templates.isEmpty else { throw TextFileError(file: file, .invalidRecord("holds no templates (one per line, {} for the class name)")) }
        return templates
    }
}
