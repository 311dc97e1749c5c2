#include "core/model/model.h"

#include "core/model/ops.h"

#include <cstdlib>
#include <filesystem>
#include <set>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace sf {

namespace fs = std::filesystem;

text::TokenizerFiles tokenizerFilesFor(const Config& c, const std::string& dir)
{
    const fs::path d(dir);
    text::TokenizerFiles f;
    if (c.tokenizerKey) {
        f.sourceModel = (d / c.tokenizer.source).string();
        f.targetModel = (d / c.tokenizer.target).string();
        if (!c.tokenizer.vocab.empty()) f.vocabJson = (d / c.tokenizer.vocab).string();
    } else if (fs::exists(d / "spm.model")) {
        f.sourceModel = f.targetModel = (d / "spm.model").string();
    } else if (fs::exists(d / "source.spm")) {
        f.sourceModel = (d / "source.spm").string();
        f.targetModel = fs::exists(d / "target.spm") ? (d / "target.spm").string() : f.sourceModel;
        if (fs::exists(d / "vocab.json")) f.vocabJson = (d / "vocab.json").string();
    }
    // Without vocab.json spm ids are model ids: a .model with more pieces than vocab_size
    // is refused before SentencePiece parses it.
    if (f.vocabJson.empty()) f.maxPieces = c.vocabSize;
    return f;
}

Result<std::shared_ptr<const Model>> Model::load(const std::string& path)
{
    std::error_code ec;
    fs::path dir(path);
    if (fs::is_regular_file(dir, ec)) {
        if (dir.extension() == ".bin" || dir.extension() == ".pt" || dir.extension() == ".pth" ||
            dir.extension() == ".ckpt")
            return error(path + ": pickle checkpoints are refused (unpickling can run code); convert it to "
                                "model.safetensors with tools/convert_to_safetensors.py",
                         Text("errors.pickle_refused").str("file", path));
        dir = dir.parent_path();
    }
    if (!fs::is_directory(dir, ec))
        return error(path + ": not a model directory",
                     Text(fs::exists(dir, ec) ? "errors.not_a_model_directory" : "errors.no_such_directory").str("file", path));
    const fs::path weightsPath = dir / "model.safetensors";
    if (!fs::exists(weightsPath, ec)) {
        for (const char* pickle : {"pytorch_model.bin", "model.pt", "model.bin"})
            if (fs::exists(dir / pickle, ec))
                return error((dir / pickle).string() +
                                 ": pickle checkpoints are refused (unpickling can run code); convert it to "
                                 "model.safetensors with tools/convert_to_safetensors.py",
                             Text("errors.pickle_refused").str("file", (dir / pickle).string()));
        return error(weightsPath.string() + ": missing (a model directory holds config.json and model.safetensors)",
                     Text("errors.missing_weights").str("file", weightsPath.string()));
    }

    Result<Config> config = loadConfig((dir / "config.json").string());
    if (!config) return config.error();
    auto file = io::SafetensorsFile::open(weightsPath.string());
    if (!file) return file.error();

    std::shared_ptr<Model> m(new Model());
    m->mConfig = *config;
    m->mDir = dir.string();
    m->mFile = *file;
    // A sentence may cost what fits memory, whatever max_position_embeddings says.
    const int fits = maxPositionsForMemory(m->mConfig);
    if (fits < m->mConfig.maxPositions) {
        m->mConfig.maxPositionsInFile = m->mConfig.maxPositions;
        m->mConfig.maxPositions = fits;
    }

    // Zero-copy views for aligned F32; converted copies for F16 / BF16 / misaligned F32.
    // Only tensors the config names are converted; the rest are listed as unused.
    std::map<std::string, TensorRef> refs;
    std::map<std::string, bool> wanted;
    for (const ExpectedTensor& e : expectedTensors(m->mConfig)) wanted[e.name] = true;
    for (const io::TensorInfo& t : m->mFile->tensors()) {
        TensorRef r;
        r.shape = t.shape;
        if (wanted.count(t.name)) {
            r.data = m->mFile->f32(t);
            if (!r.data) {
                Result<std::vector<float>> conv = m->mFile->toFloat(t);
                if (!conv) return conv.error();
                m->mOwned.push_back(std::move(conv).value());
                r.data = m->mOwned.back().data();
            }
        }
        refs[t.name] = r;
    }
    Status bound = m->bind(refs, weightsPath.string());
    if (!bound) return bound.error();

    const text::TokenizerFiles tf = tokenizerFilesFor(m->mConfig, m->mDir);
    if (!tf.sourceModel.empty()) {
        const Config& c = m->mConfig;
        auto tok = text::Tokenizer::load(tf, text::SpecialIds{c.padId, c.unkId, c.bosId, c.eosId});
        if (!tok) return tok.error();
        if ((*tok)->sourceVocabSize() > c.vocabSize || (*tok)->targetVocabSize() > c.vocabSize)
            return error(tf.sourceModel + ": the tokenizer has " +
                         std::to_string(std::max((*tok)->sourceVocabSize(), (*tok)->targetVocabSize())) +
                         " pieces but the model's vocab_size is " + std::to_string(c.vocabSize));
        m->mTokenizer = *tok;
    }
    return std::shared_ptr<const Model>(m);
}

Status Model::bind(const std::map<std::string, TensorRef>& refs, const std::string& label)
{
    Result<Weights> w = bindWeights(mConfig, refs, label, &mUnused);
    if (!w) return w.error();
    mWeights = *w;
    packPanels();
    const std::set<std::string> unused(mUnused.begin(), mUnused.end());
    mBound.clear();
    mParameters = 0;
    for (const auto& [name, ref] : refs)
        if (ref.data && !unused.count(name)) {
            mBound[name] = ref;
            int64_t n = 1;
            for (int64_t dim : ref.shape) n *= dim;
            mParameters += n;
        }
    return {};
}

// The encoder phase's products meet a whole sentence (2..32 rows: the few-row kernel), so
// their weights are packed into the kernel's panels once, here: every encoder layer's, and
// the decoder's cross-attention K and V (computed once per sentence from the encoder
// output). The decoding step's products (one row) read W in place.
void Model::packPanels()
{
    std::vector<LinearW*> linears;
    for (EncoderLayerW& L : mWeights.encoder)
        for (LinearW* l : {&L.self_attn.q_proj, &L.self_attn.k_proj, &L.self_attn.v_proj, &L.self_attn.out_proj,
                           &L.fc1, &L.fc2})
            linears.push_back(l);
    for (DecoderLayerW& L : mWeights.decoder) linears.push_back(&L.encoder_attn.k_proj), linears.push_back(&L.encoder_attn.v_proj);
    // One block for all of them, in 2 MB pages where the kernel gives them (88 MB for the
    // base model: 44 TLB entries instead of 22,000, and 44 page faults instead of 22,000
    // when they are written; one zero-filled vector per matrix had made the load ~14 ms
    // longer). Each matrix 64-byte aligned.
    auto floats = [](const LinearW* l) { return (linearPanelFloats(l->out, l->in) + 15) / 16 * 16; };
    size_t total = 0;
    for (const LinearW* l : linears) total += floats(l);
    mPanels.reset();
    if (total == 0) return;
    constexpr size_t kPage = size_t(2) << 20;
    const size_t bytes = (total * sizeof(float) + kPage - 1) / kPage * kPage;
    mPanels.reset(static_cast<float*>(std::aligned_alloc(kPage, bytes)));
    if (!mPanels) return;  // no memory for them: the kernel reads W in place
#if defined(MADV_HUGEPAGE)
    madvise(mPanels.get(), bytes, MADV_HUGEPAGE);
#endif
    float* p = mPanels.get();
    for (LinearW* l : linears) {  // every one bound: bindWeights refuses a missing weight
        packLinearPanels(p, l->weight, l->out, l->in);
        l->panels = p;
        p += floats(l);
    }
}

Result<std::shared_ptr<const Model>> Model::fromTensors(const Config& config,
                                                       const std::map<std::string, Tensor>& tensors,
                                                       std::shared_ptr<const text::Tokenizer> tokenizer)
{
    std::shared_ptr<Model> m(new Model());
    m->mConfig = config;
    m->mDir = "<memory>";
    std::map<std::string, TensorRef> refs;
    m->mOwned.reserve(tensors.size());
    for (const auto& [name, t] : tensors) {
        m->mOwned.push_back(t.data);
        refs[name] = TensorRef{m->mOwned.back().data(), t.shape};
    }
    Status bound = m->bind(refs, "<memory>");
    if (!bound) return bound.error();
    m->mTokenizer = std::move(tokenizer);
    return std::shared_ptr<const Model>(m);
}

}  // namespace sf
