// stepformer inspect DIR: config, architecture variant, tensor table, validation verdict.
#include "app/cli.h"

#include "core/io/safetensors.h"
#include "core/model/model.h"

#include <QCommandLineParser>

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace sf::cli {

int inspect(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("dir", "Model directory.");
    if (!p.parse(QStringList("inspect") + args)) return fail(p.errorText().toStdString(), Usage);
    if (p.positionalArguments().size() != 1) return fail("inspect takes one model directory", Usage);
    const std::string dir = p.positionalArguments().first().toStdString();

    auto model = Model::load(dir);
    if (!model) {
        std::cout << "verdict: invalid\n";
        return fail(model.message());
    }
    const Model& m = **model;
    const Config& c = m.config();
    std::cout << "model:        " << m.directory() << "\n"
              << "architecture: " << c.describe() << "\n"
              << "variant:      " << (c.normalizeBefore ? "pre-norm (x + Sublayer(LayerNorm(x)), final stack norms)"
                                                        : "post-norm (LayerNorm(x + Sublayer(x)), as in the paper)")
              << "; " << positionLayoutName(c.positions) << "; " << activationName(c.activation)
              << "; embeddings " << (c.scaleEmbedding ? "x sqrt(d_model)" : "unscaled") << "; output projection "
              << (m.weights().tied ? "tied to model.shared.weight" : "lm_head.weight")
              << (m.weights().final_logits_bias ? " + final_logits_bias" : "") << "\n"
              << "ids:          pad " << c.padId << ", unk " << c.unkId << ", bos " << c.bosId << ", eos " << c.eosId
              << ", decoder start " << c.decoderStartId << "\n"
              << "parameters:   " << m.parameterCount() << "\n";
    if (const text::Tokenizer* t = m.tokenizer())
        std::cout << "tokenizer:    " << t->sourceVocabSize() << " source / " << t->targetVocabSize()
                  << " target pieces\n";
    else
        std::cout << "tokenizer:    none (translate with --ids)\n";

    std::cout << "\ntensors (" << m.file()->tensors().size() << "):\n";
    for (const io::TensorInfo& t : m.file()->tensors()) {
        std::string shape = "[";
        for (size_t i = 0; i < t.shape.size(); ++i) shape += (i ? ", " : "") + std::to_string(t.shape[i]);
        shape += "]";
        const bool unused =
            std::find(m.unusedTensors().begin(), m.unusedTensors().end(), t.name) != m.unusedTensors().end();
        std::printf("  %-56s %-5s %-14s%s\n", t.name.c_str(), io::dtypeName(t.dtype), shape.c_str(),
                    unused ? "  (not used by this config)" : "");
    }
    std::cout << "\nverdict: valid\n";
    return Ok;
}

}  // namespace sf::cli
