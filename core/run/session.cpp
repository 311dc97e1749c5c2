#include "core/run/session.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace sf {

namespace {

// The most probable token; </s> is skipped while fewer than minLength tokens exist.
int argmax(const float* x, int V, int banned)
{
    int best = banned == 0 ? 1 : 0;
    for (int i = 0; i < V; ++i)
        if (i != banned && x[i] > x[best]) best = i;
    return best;
}

}  // namespace

Session::Session(std::shared_ptr<const Model> model, const Kernels& kernels)
    : mModel(std::move(model)), mKernels(kernels)
{
}

Status Session::setSourceText(const std::string& text)
{
    const text::Tokenizer* tok = mModel->tokenizer();
    if (!tok) return error(mModel->directory() + ": this model has no tokenizer; give token ids (--ids)");
    text::Encoded e = tok->encodeSource(text);
    Status s = setSource(std::move(e.ids), std::move(e.pieces));
    if (s) mSource.sourceText = text;
    return s;
}

Status Session::setSourceIds(const std::vector<int>& ids)
{
    const text::Tokenizer* tok = mModel->tokenizer();
    std::vector<std::string> pieces;
    for (int id : ids) pieces.push_back(tok ? tok->sourcePiece(id) : std::to_string(id));
    return setSource(ids, std::move(pieces));
}

Status Session::setSource(std::vector<int> ids, std::vector<std::string> pieces)
{
    const Config& c = mModel->config();
    if (ids.empty()) return error("the source is empty: give at least one token id");
    for (int id : ids)
        if (id < 0 || id >= c.vocabSize)
            return error("source token id " + std::to_string(id) + " is outside the vocabulary [0, " +
                         std::to_string(c.vocabSize) + ")");
    mSource = Translation{};
    if (int(ids.size()) > c.maxPositions) {
        // Keep the first positions, and </s> last when the source ended with it.
        mSource.warnings.push_back("the source has " + std::to_string(ids.size()) +
                                   " tokens; truncated to max_position_embeddings = " + std::to_string(c.maxPositions));
        const bool eos = ids.back() == c.eosId;
        const std::string last = pieces.back();
        ids.resize(size_t(c.maxPositions));
        pieces.resize(size_t(c.maxPositions));
        if (eos) ids.back() = c.eosId, pieces.back() = last;
    }
    mSource.sourceIds = std::move(ids);
    mSource.sourcePieces = std::move(pieces);
    return {};
}

void Session::encode(bool capture)
{
    const Config& c = mModel->config();
    const int S = int(mSource.sourceIds.size());
    mTrace = capture ? std::make_shared<Trace>() : nullptr;
    mMemory.assign(size_t(S) * c.dModel, 0.0f);
    sf::encode(mKernels, c, mModel->weights(), mSource.sourceIds.data(), S, S, mMemory.data(), mTrace.get(),
               mEncoderWs);
    prepareDecoder(mKernels, c, mModel->weights(), mMemory.data(), S, S, mState, mTrace.get());
    mLogits.assign(size_t(c.vocabSize), 0.0f);
}

const float* Session::step(int inputId)
{
    sf::decode(mKernels, mModel->config(), mModel->weights(), &inputId, 1, mState, mLogits.data(), mTrace.get());
    return mLogits.data();
}

int Session::defaultMaxLength() const
{
    return std::min(mModel->config().maxPositions, 2 * int(mSource.sourceIds.size()) + 16);
}

Result<Translation> Session::translate(const DecodeOptions& o)
{
    if (mSource.sourceIds.empty()) return error("no source set");
    if (o.beam < 1) return error("beam width must be at least 1");
    DecodeOptions opt = o;
    if (opt.maxLength <= 0) opt.maxLength = defaultMaxLength();
    opt.maxLength = std::min(opt.maxLength, mModel->config().maxPositions);
    if (opt.beam > 1) {
        Translation t = beamSearch(opt);
        return t;
    }

    const Config& c = mModel->config();
    encode(opt.capture);
    Translation t = mSource;
    int input = c.decoderStartId;
    for (int i = 0; i < opt.maxLength; ++i) {
        const float* logits = step(input);
        const bool eosBanned = opt.stopAtEos && int(t.outputIds.size()) + 1 < opt.minLength;
        const int tok = argmax(logits, c.vocabSize, eosBanned ? c.eosId : -1);
        t.logProb += double(logits[tok]) - mKernels.logSumExp(logits, c.vocabSize);
        t.outputIds.push_back(tok);
        if (opt.stopAtEos && tok == c.eosId) break;
        input = tok;
    }
    t.decoding = "greedy";
    t.trace = mTrace;
    finish(t);
    return t;
}

Translation Session::force(const std::vector<int>& outputIds)
{
    const Config& c = mModel->config();
    encode(true);
    Translation t = mSource;
    int input = c.decoderStartId;
    for (int tok : outputIds) {
        const float* logits = step(input);
        t.logProb += double(logits[tok]) - mKernels.logSumExp(logits, c.vocabSize);
        t.outputIds.push_back(tok);
        input = tok;
    }
    t.trace = mTrace;
    finish(t);
    return t;
}

// Beam search: keep the N best partial outputs by total log-probability; an output that
// ends with </s> among the top N candidates is finished, scored by its log-probability
// divided by its length (length normalisation). Stops when N outputs are finished (so
// width 1 is exactly greedy), or at the maximum length. The winner is then decoded
// once more with capture on, so its Trace holds the very numbers of that path.
Translation Session::beamSearch(const DecodeOptions& o)
{
    const Config& c = mModel->config();
    const int V = c.vocabSize, N = o.beam;
    encode(false);
    struct Hyp {
        DecoderState state;
        std::vector<int> tokens;
        double logProb = 0.0;
    };
    struct Done {
        std::vector<int> tokens;
        double logProb, score;
    };
    std::vector<Hyp> beams(1);
    beams[0].state = mState;
    std::vector<Done> finished;
    std::vector<double> lp;
    std::vector<float> logits(static_cast<size_t>(V));
    std::vector<int> order(static_cast<size_t>(V));

    for (int len = 0; len < o.maxLength && !beams.empty(); ++len) {
        struct Cand {
            double logProb;
            int beam, token;
        };
        std::vector<Cand> cands;
        for (int b = 0; b < int(beams.size()); ++b) {
            Hyp& h = beams[size_t(b)];
            const int input = h.tokens.empty() ? c.decoderStartId : h.tokens.back();
            sf::decode(mKernels, c, mModel->weights(), &input, 1, h.state, logits.data(), nullptr);
            const double lse = mKernels.logSumExp(logits.data(), V);
            lp.resize(size_t(V));
            for (int i = 0; i < V; ++i) lp[size_t(i)] = double(logits[size_t(i)]) - lse;
            if (o.stopAtEos && len + 1 < o.minLength) lp[size_t(c.eosId)] = -std::numeric_limits<double>::infinity();
            const int k = std::min(V, 2 * N);
            std::iota(order.begin(), order.end(), 0);
            std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int a, int bb) {
                return lp[size_t(a)] > lp[size_t(bb)] || (lp[size_t(a)] == lp[size_t(bb)] && a < bb);
            });
            for (int i = 0; i < k; ++i)
                if (std::isfinite(lp[size_t(order[size_t(i)])]))
                    cands.push_back({h.logProb + lp[size_t(order[size_t(i)])], b, order[size_t(i)]});
        }
        std::stable_sort(cands.begin(), cands.end(), [](const Cand& a, const Cand& b) { return a.logProb > b.logProb; });
        std::vector<Hyp> next;
        for (int rank = 0; rank < int(cands.size()) && int(next.size()) < N; ++rank) {
            const Cand& cd = cands[size_t(rank)];
            std::vector<int> toks = beams[size_t(cd.beam)].tokens;
            toks.push_back(cd.token);
            if (o.stopAtEos && cd.token == c.eosId) {
                if (rank < N) finished.push_back({toks, cd.logProb, cd.logProb / double(toks.size())});
                continue;
            }
            next.push_back(Hyp{beams[size_t(cd.beam)].state, std::move(toks), cd.logProb});
        }
        if (int(finished.size()) >= N) break;
        beams = std::move(next);
    }
    if (finished.empty())
        for (const Hyp& h : beams)
            finished.push_back({h.tokens, h.logProb, h.logProb / double(std::max<size_t>(1, h.tokens.size()))});
    const Done* best = &finished[0];
    for (const Done& d : finished)
        if (d.score > best->score) best = &d;

    const std::vector<int> winner = best->tokens;
    Translation t = o.capture ? force(winner) : mSource;
    if (!o.capture) {
        t.outputIds = winner;
        finish(t);
    }
    t.logProb = best->logProb;
    t.decoding = "beam";
    return t;
}

void Session::finish(Translation& t) const
{
    const Config& c = mModel->config();
    t.decoderInputIds.assign(1, c.decoderStartId);
    for (size_t i = 0; i + 1 < t.outputIds.size(); ++i) t.decoderInputIds.push_back(t.outputIds[i]);
    const text::Tokenizer* tok = mModel->tokenizer();
    t.outputPieces.clear();
    for (int id : t.outputIds) t.outputPieces.push_back(tok ? tok->targetPiece(id) : std::to_string(id));
    if (tok) {
        t.outputText = tok->decodeTarget(t.outputIds);
    } else {
        t.outputText.clear();
        for (size_t i = 0; i < t.outputIds.size(); ++i) t.outputText += (i ? " " : "") + std::to_string(t.outputIds[i]);
    }
}

}  // namespace sf
