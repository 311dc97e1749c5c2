#include "core/train/studio.h"

#include "core/run/session.h"
#include "core/text/bleu.h"
#include "core/text/corpus.h"

#include <algorithm>
#include <cmath>

namespace sf::train {

Config architectureConfig(const Architecture& a, int vocab, int maxPositions)
{
    Config c;
    c.dModel = a.dModel;
    c.encoderLayers = c.decoderLayers = a.layers;
    c.encoderHeads = c.decoderHeads = a.heads;
    c.encoderFfn = c.decoderFfn = a.ffn;
    c.vocabSize = vocab;
    c.maxPositions = maxPositions;
    c.positions = a.positions ? PositionLayout::Interleaved : PositionLayout::None;
    c.decoderCausalMask = a.causalMask;
    c.attentionScale = a.scale;
    c.normalizeBefore = a.preNorm;
    return c;
}

std::vector<std::string> presetNames() { return {"studio", "studio-text"}; }

Result<Preset> preset(const std::string& name)
{
    if (name != "studio" && name != "studio-text")
        return error("unknown preset '" + name + "' (known: studio, studio-text)");
    Preset p;
    p.name = name;
    p.task = "reverse";
    p.arch.layers = 2, p.arch.heads = 4, p.arch.dModel = 64, p.arch.ffn = 256;
    p.vocab = 16;
    p.trainSize = 20000;
    p.options.steps = 1500;
    p.options.batchSize = 128;
    p.options.warmup = 200;
    p.options.dropout = 0.0f;  // a small model on unlimited data does not overfit
    p.options.labelSmoothing = 0.1f;
    p.options.clipNorm = 1.0f;
    p.options.lrScale = 1.0f;
    if (name == "studio-text") {  // en-fr in about a minute and a half: the same small model
        p.task = "en-fr";
        p.vocab = 600;        // SentencePiece pieces, at most
        p.trainSize = 30000;  // sentence pairs (plus the example sentences' copies)
        p.options.steps = 2000;
        p.options.batchSize = 64;
        p.options.warmup = 400;
    }
    return p;
}

bool isAlgorithmicTask(const std::string& task) { return task == "copy" || task == "reverse" || task == "sort"; }

std::vector<Example> algorithmicExamples(const std::string& task, size_t n, int vocab, uint64_t seed)
{
    auto pairs = text::algorithmicTask(task, n, 3, 12, 4, vocab - 1, seed);
    std::vector<Example> ex;
    if (!pairs) return ex;
    for (auto& [src, tgt] : *pairs) {
        Example e{src, tgt};
        e.src.push_back(3);
        e.tgt.push_back(3);
        ex.push_back(std::move(e));
    }
    return ex;
}

std::vector<Example> heldOutExamples(const std::string& task, size_t n, int vocab, uint64_t seed)
{
    return algorithmicExamples(task, n, vocab, seed * 7919 + 17);
}

Result<FreeRunningScore> scoreFreeRunning(const std::shared_ptr<const Model>& model,
                                          const std::vector<Example>& examples)
{
    FreeRunningScore r;
    std::vector<std::string> hyps, refs;
    auto join = [](const std::vector<int>& v) {
        std::string s;
        for (int x : v) s += (s.empty() ? "" : " ") + std::to_string(x);
        return s;
    };
    Session s(model);
    for (const Example& e : examples) {
        Status st = s.setSourceIds(e.src);
        if (!st) return error(st.message());
        DecodeOptions o;
        o.capture = false;
        o.maxLength = int(e.tgt.size()) + 8;  // a wrong model may never stop
        auto t = s.translate(o);
        if (!t) return error(t.message());
        r.exact += t->outputIds == e.tgt;
        if (const text::Tokenizer* tok = model->tokenizer()) {  // a text task: BLEU over words
            hyps.push_back(text::bleuWords(tok->decodeTarget(t->outputIds)));
            refs.push_back(text::bleuWords(tok->decodeTarget(e.tgt)));
        } else {
            hyps.push_back(join(t->outputIds));
            refs.push_back(join(e.tgt));
        }
        r.outputs.push_back(t->outputIds);
    }
    r.n = int(examples.size());
    r.exactMatch = r.n ? double(r.exact) / r.n : 0.0;
    r.bleu = text::corpusBleu(hyps, refs);
    return r;
}

Result<AttentionSnapshot> crossAttentionSnapshot(const std::shared_ptr<const Model>& model, const Example& example)
{
    Session s(model);
    Status st = s.setSourceIds(example.src);
    if (!st) return error(st.message());
    DecodeOptions o;
    o.strategy = Forced{example.tgt};
    auto t = s.translate(o);
    if (!t) return error(t.message());
    const Config& c = model->config();
    const std::string name = trace_names::attention(Stack::Decoder, c.decoderLayers - 1, AttentionKind::Cross, "weights");
    const TraceTensor* w = t->trace->find(name);
    if (!w || w->rank() != 3) return error("the trace has no " + name);
    AttentionSnapshot a;
    const int H = int(w->shape()[0]);
    a.rows = int(w->shape()[1]), a.cols = int(w->shape()[2]);
    a.weights.assign(size_t(a.rows) * size_t(a.cols), 0.0f);
    // mean over heads: A = (1/H) sum_h A_h
    for (int h = 0; h < H; ++h)
        for (int r = 0; r < a.rows; ++r) {
            const float* row = w->row(h, r);
            for (int j = 0; j < a.cols; ++j) a.weights[size_t(r) * size_t(a.cols) + size_t(j)] += row[j] / float(H);
        }
    return a;
}

std::vector<NamedNorm> layerGradientNorms(const ParamLayout& layout, const float* grads)
{
    std::vector<NamedNorm> out;
    auto blockOf = [](const std::string& name) -> std::string {
        for (const char* stack : {"encoder", "decoder"}) {
            const std::string prefix = std::string("model.") + stack + ".layers.";
            if (name.rfind(prefix, 0) == 0) {
                const size_t dot = name.find('.', prefix.size());
                return std::string(stack) + " " + std::to_string(std::stoi(name.substr(prefix.size(), dot)) + 1);
            }
        }
        if (name.rfind("model.shared", 0) == 0) return "embeddings";
        return "final norms";
    };
    for (const ParamEntry& e : layout.entries()) {
        const std::string block = blockOf(e.name);
        auto it = std::find_if(out.begin(), out.end(), [&](const NamedNorm& n) { return n.name == block; });
        if (it == out.end()) it = out.insert(out.end(), NamedNorm{block, 0.0});
        double sq = 0.0;
        for (size_t i = 0; i < e.size; ++i) sq += double(grads[e.offset + i]) * double(grads[e.offset + i]);
        it->norm += sq;  // squared until the end
    }
    for (NamedNorm& n : out) n.norm = std::sqrt(n.norm);
    return out;
}

}  // namespace sf::train
