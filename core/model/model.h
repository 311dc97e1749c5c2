// A loaded model: its config, its weights (views into a mapped safetensors file, or
// into converted copies for F16/BF16), and its tokenizer when the directory has one.
// Immutable once loaded; shared by sessions and threads as shared_ptr<const Model>.
#pragma once

#include "core/io/safetensors.h"
#include "core/io/trace.h"
#include "core/model/config.h"
#include "core/model/weights.h"
#include "core/result.h"
#include "core/text/tokenizer.h"

#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sf {

class Model {
public:
    // Loads a model directory (or the model.safetensors inside one). Errors name the file
    // and the problem; nothing is allocated before config.json has been validated.
    static Result<std::shared_ptr<const Model>> load(const std::string& path);

    // A model from tensors in memory (tests, the trainer). The tensors are copied.
    static Result<std::shared_ptr<const Model>> fromTensors(const Config& config,
                                                            const std::map<std::string, Tensor>& tensors,
                                                            std::shared_ptr<const text::Tokenizer> tokenizer = {});

    const Config& config() const { return mConfig; }
    const Weights& weights() const { return mWeights; }
    const text::Tokenizer* tokenizer() const { return mTokenizer.get(); }
    std::shared_ptr<const text::Tokenizer> sharedTokenizer() const { return mTokenizer; }
    const std::string& directory() const { return mDir; }
    // Tensors in the file that the config does not use (reported, not refused).
    const std::vector<std::string>& unusedTensors() const { return mUnused; }
    // The file's tensor table (empty for fromTensors models).
    const io::SafetensorsFile* file() const { return mFile.get(); }
    // The tensors the config binds, by checkpoint name (F32 data, converted if need be).
    const std::map<std::string, TensorRef>& boundTensors() const { return mBound; }
    int64_t parameterCount() const { return mParameters; }

private:
    Model() = default;
    // Binds the config's tensors out of `refs`; records them, the unused names and the
    // parameter count.
    Status bind(const std::map<std::string, TensorRef>& refs, const std::string& label);
    // Packs the encoder phase's linear weights into the few-row layout (ops.h).
    void packPanels();

    Config mConfig;
    Weights mWeights;
    std::string mDir;
    std::shared_ptr<io::SafetensorsFile> mFile;
    std::vector<std::vector<float>> mOwned;  // converted or copied tensors
    struct Free {
        void operator()(float* p) const { std::free(p); }
    };
    std::unique_ptr<float, Free> mPanels;  // the few-row layout of some linear weights (packPanels)
    std::shared_ptr<const text::Tokenizer> mTokenizer;
    std::vector<std::string> mUnused;
    std::map<std::string, TensorRef> mBound;
    int64_t mParameters = 0;
};

// Which tokenizer files a directory uses (config "tokenizer" key, else spm.model, else
// Marian's source.spm / target.spm / vocab.json). Empty source = no tokenizer.
text::TokenizerFiles tokenizerFilesFor(const Config& c, const std::string& dir);

}  // namespace sf
