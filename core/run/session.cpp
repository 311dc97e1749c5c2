#include "core/run/session.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstring>
#include <numeric>
#include <random>
#include <tuple>

namespace sf {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// The most probable token among those not banned (-inf); ties go to the lower id.
int argmax(const float* x, int V)
{
    int best = 0;
    for (int i = 1; i < V; ++i)
        if (x[i] > x[best]) best = i;
    return best;
}

// Whether the bad word `seq` would be completed by the next token: its first n-1 tokens
// end the prefix (a one-token bad word always matches).
bool badWordPrefixMatches(const std::vector<int>& seq, const std::vector<int>& prefix)
{
    const size_t k = seq.size() - 1;
    if (prefix.size() < k) return false;
    return std::equal(seq.begin(), seq.end() - 1, prefix.end() - long(k));
}

// Records row t of `name` [T, V] (grows the tensor; earlier rows are kept).
void recordRow(Trace* tr, const std::string& name, int t, const float* x, int V)
{
    if (!tr) return;
    TraceTensor* tt = tr->find(name);
    if (!tt) tt = tr->put(name, {t + 1, V});
    else tt->grow({std::max<int64_t>(tt->shape()[0], t + 1), V});
    std::memcpy(tt->row(t), x, sizeof(float) * size_t(V));
}

// A uniform double in [0, 1) from 53 random bits: the same on every platform, unlike
// std::uniform_real_distribution.
double uniform01(std::mt19937_64& rng) { return double(rng() >> 11) * 0x1.0p-53; }

// Draws an id from p [V] by inverse CDF in id order.
int draw(const float* p, int V, std::mt19937_64& rng)
{
    const double u = uniform01(rng);
    double c = 0.0;
    int last = 0;
    for (int i = 0; i < V; ++i) {
        if (p[i] <= 0.0f) continue;
        c += p[i];
        last = i;
        if (u < c) return i;
    }
    return last;  // rounding: u beyond the summed mass
}

std::string bannedAllMessage(int len)
{
    return "every token is banned at output position " + std::to_string(len) +
           " (min length, bad_words_ids and forced_eos_token_id leave nothing to choose)";
}

}  // namespace

const char* strategyName(const Strategy& s)
{
    static const char* names[] = {"greedy", "beam", "sample", "forced"};
    return names[s.index()];
}

const char* beamStateName(BeamNode::State s)
{
    return s == BeamNode::Alive ? "alive" : s == BeamNode::Finished ? "finished" : "pruned";
}

// Hugging Face's order: softmax(logits / T), top-k (ties kept), top-p within what top-k
// kept (Hugging Face's top-p softmaxes the logits top-k left, so its mass is relative to
// that set), renormalise.
void samplingDistribution(float* out, const float* logits, int V, const Sampling& s)
{
    std::vector<int> order;
    float mx = kNegInf;
    for (int i = 0; i < V; ++i) mx = std::max(mx, logits[i]);
    double sum = 0.0;
    for (int i = 0; i < V; ++i) {
        const double z = logits[i] == kNegInf ? 0.0 : std::exp((double(logits[i]) - double(mx)) / s.temperature);
        out[i] = float(z);
        sum += z;
    }
    for (int i = 0; i < V; ++i) out[i] = float(double(out[i]) / sum);
    order.resize(size_t(V));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return out[a] > out[b]; });
    int keep = V;
    if (s.topK > 0 && s.topK < V) {
        keep = s.topK;
        while (keep < V && out[order[size_t(keep)]] == out[order[size_t(keep - 1)]]) ++keep;
    }
    if (s.topP < 1.0) {
        double topKMass = 0.0;  // 1 when top-k kept everything
        for (int r = 0; r < keep; ++r) topKMass += out[order[size_t(r)]];
        double mass = 0.0;
        int n = 0;
        while (n < keep && mass < s.topP * topKMass) mass += out[order[size_t(n++)]];
        keep = std::max(n, 1);
    }
    double kept = 0.0;
    for (int r = 0; r < keep; ++r) kept += out[order[size_t(r)]];
    for (int r = keep; r < V; ++r) out[order[size_t(r)]] = 0.0f;
    for (int r = 0; r < keep; ++r) out[order[size_t(r)]] = float(double(out[order[size_t(r)]]) / kept);
}

Session::Session(std::shared_ptr<const Model> model, const Kernels& kernels)
    : mModel(std::move(model)), mKernels(kernels),
      mWeights(residentWeights(kernels, mModel->config(), mModel->weights()))
{
}

Status Session::setSourceText(const std::string& text)
{
    const text::Tokenizer* tok = mModel->tokenizer();
    if (!tok) {
        std::vector<int> ids;
        size_t i = 0;
        while (i < text.size()) {
            if (text[i] == ' ') {
                ++i;
                continue;
            }
            size_t j = i;
            while (j < text.size() && text[j] >= '0' && text[j] <= '9' && j - i < 9) ++j;
            if (j == i || (j < text.size() && text[j] != ' '))
                return error(mModel->directory() +
                                 ": this model has no tokenizer; type token ids separated by spaces (\"5 9 7\")",
                             Text("errors.ids_expected"));
            ids.push_back(std::stoi(text.substr(i, j - i)));
            i = j;
        }
        if (ids.empty())
            return error("the source is empty: give at least one token id", Text("errors.empty_ids"));
        if (ids.back() != mModel->config().eosId) ids.push_back(mModel->config().eosId);
        Status st = setSourceIds(ids);
        if (st) mSource.sourceText = text;
        return st;
    }
    text::Encoded e = tok->encodeSource(text);
    // Nothing to translate (an empty or blank sentence, or one whose every character the
    // tokenizer drops): only </s> would be left, and the walk would translate nothing.
    if (e.ids.empty() || (e.ids.size() == 1 && e.ids[0] == mModel->config().eosId))
        return error("the sentence is empty: type at least one word", Text("errors.empty_sentence"));
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
    if (ids.empty()) return error("the source is empty: give at least one token id", Text("errors.empty_ids"));
    for (int id : ids)
        if (id < 0 || id >= c.vocabSize)
            return error("source token id " + std::to_string(id) + " is outside the vocabulary [0, " +
                             std::to_string(c.vocabSize) + ")",
                         Text("errors.id_outside_vocabulary").count("id", id).count("vocab", c.vocabSize));
    mSource = Translation{};
    if (int(ids.size()) > c.maxPositions) {
        // Keep the first positions, and </s> last when the source ended with it.
        const bool capped = c.maxPositionsInFile > c.maxPositions;
        Text w(capped ? "warnings.source_truncated_capped" : "warnings.source_truncated");
        w.count("tokens", (long long)ids.size()).count("max", c.maxPositions);
        if (capped) w.count("in_file", c.maxPositionsInFile);
        mSource.warnings.push_back(std::move(w));
        const bool eos = ids.back() == c.eosId;
        const std::string last = pieces.back();
        ids.resize(size_t(c.maxPositions));
        pieces.resize(size_t(c.maxPositions));
        if (eos) ids.back() = c.eosId, pieces.back() = last;
    }
    mSource.sourceIds = std::move(ids);
    mSource.sourcePieces = std::move(pieces);
    mEncoded = false;
    return {};
}

void Session::encode(bool capture, const Interventions& iv)
{
    const Config& c = mModel->config();
    const int S = int(mSource.sourceIds.size());
    mTrace = capture ? std::make_shared<Trace>() : nullptr;
    mMemory.resize(mKernels, size_t(S) * c.dModel);
    sf::encode(mKernels, c, mWeights, mSource.sourceIds.data(), S, S, mMemory.data(), mTrace.get(),
               mEncoderWs, iv);
    prepareDecoder(mKernels, c, mWeights, mMemory.data(), S, S, mState, mTrace.get());
    mLogits.assign(size_t(c.vocabSize), 0.0f);
    mEncoded = true;
    mEncodedWith = iv;
    ++mEncoderRuns;
}

namespace {

// Whether the encoder computes the same numbers under a and b: what it reads of the
// interventions is no-positions, no-scale and its own switched-off heads (as a set). The
// cross-attention K/V are the memory times W_K, W_V: they follow the memory.
bool sameEncoder(const Interventions& a, const Interventions& b)
{
    if (a.noPositions != b.noPositions || a.noScale != b.noScale) return false;
    auto encoderHeads = [](const Interventions& iv) {
        std::vector<std::tuple<int, int, int>> heads;
        for (const HeadRef& h : iv.ablated)
            if (h.stack == Stack::Encoder) heads.emplace_back(h.layer, int(h.kind), h.head);
        std::sort(heads.begin(), heads.end());
        return heads;
    };
    return encoderHeads(a) == encoderHeads(b);
}

}  // namespace

void Session::encodeOrReuse(bool capture, const Interventions& iv)
{
    if (capture || !mEncoded || !sameEncoder(mEncodedWith, iv)) {
        encode(capture, iv);
        return;
    }
    mTrace.reset();
    mState.length = 0;  // the cross K/V stay; the self-attention cache refills from position 0
}

const float* Session::step(int inputId, const Interventions& iv)
{
    sf::decode(mKernels, mModel->config(), mWeights, &inputId, 1, mState, mLogits.data(), mTrace.get(), iv);
    return mLogits.data();
}

int Session::defaultMaxLength() const
{
    return std::min(mModel->config().maxPositions, 2 * int(mSource.sourceIds.size()) + 16);
}

bool Session::ban(float* logits, const std::vector<int>& prefix, const DecodeOptions& o) const
{
    const Config& c = mModel->config();
    const int V = c.vocabSize, len = int(prefix.size());
    if (o.stopAtEos && len + 1 < o.minLength) logits[c.eosId] = kNegInf;
    // Hugging Face's NoBadWordsLogitsProcessor drops a bad word that is </s> alone: banning
    // it would make every output run to the maximum length.
    for (const std::vector<int>& bad : c.badWordsIds)
        if (bad.back() < V && !(bad.size() == 1 && bad[0] == c.eosId) && badWordPrefixMatches(bad, prefix))
            logits[bad.back()] = kNegInf;
    if (c.forcedEosId >= 0 && c.forcedEosId < V && o.stopAtEos && len + 1 == o.maxLength) {
        // As Hugging Face's ForcedEOSTokenLogitsProcessor: </s> gets 0, everything else -inf.
        std::fill(logits, logits + V, kNegInf);
        logits[c.forcedEosId] = 0.0f;
    }
    for (int i = 0; i < V; ++i)
        if (logits[i] != kNegInf) return true;
    return false;
}

Result<Translation> Session::translate(const DecodeOptions& o)
{
    if (mSource.sourceIds.empty()) return error("no source set");
    DecodeOptions opt = o;
    if (opt.maxLength <= 0) opt.maxLength = defaultMaxLength();
    opt.maxLength = std::min(opt.maxLength, mModel->config().maxPositions);
    if (opt.interventions.noCausalMask && !std::holds_alternative<Forced>(opt.strategy))
        return error("no-causal-mask needs teacher forcing (--force): token by token there are no later "
                     "positions to hide",
                     Text("errors.no_causal_mask_needs_forcing"));
    if (const Beam* b = std::get_if<Beam>(&opt.strategy)) {
        if (b->width < 1) return error("beam width must be at least 1");
        return beamSearch(opt, *b);
    }
    if (const Sampling* s = std::get_if<Sampling>(&opt.strategy)) {
        if (!(s->temperature > 0.0) || !std::isfinite(s->temperature)) return error("temperature must be above 0", Text("errors.bad_temperature"));
        if (!(s->topP > 0.0 && s->topP <= 1.0)) return error("top-p must be in (0, 1]", Text("errors.bad_top_p"));
        if (s->topK < 0) return error("top-k must be 0 (all) or more");
    }
    if (const Forced* f = std::get_if<Forced>(&opt.strategy)) return forced(opt, *f);
    return sequential(opt);
}

Result<Translation> Session::sequential(const DecodeOptions& o)
{
    const Config& c = mModel->config();
    const int V = c.vocabSize;
    const Sampling* sampling = std::get_if<Sampling>(&o.strategy);
    std::mt19937_64 rng(sampling ? sampling->seed : 0);
    std::vector<float> processed(static_cast<size_t>(V)), probs(sampling ? static_cast<size_t>(V) : 0);

    encodeOrReuse(o.capture, o.interventions);
    Translation t = mSource;
    int input = c.decoderStartId;
    for (int i = 0; i < o.maxLength; ++i) {
        const float* logits = step(input, o.interventions);
        std::copy(logits, logits + V, processed.begin());
        if (!ban(processed.data(), t.outputIds, o)) return error(bannedAllMessage(i));
        int tok;
        if (sampling) {
            samplingDistribution(probs.data(), processed.data(), V, *sampling);
            recordRow(mTrace.get(), trace_names::sampleProbs(), i, probs.data(), V);
            tok = draw(probs.data(), V, rng);
        } else {
            tok = argmax(processed.data(), V);
        }
        t.logProb += double(logits[tok]) - mKernels.logSumExp(logits, V);
        t.outputIds.push_back(tok);
        if (o.stopAtEos && tok == c.eosId) break;
        input = tok;
    }
    if (sampling) t.sampling = *sampling;
    t.trace = mTrace;
    finish(t, o);
    return t;
}

// Teacher forcing: decoder inputs [start] + target[0 .. n-2], all positions in one
// parallel pass (as in training); output t is the argmax of row t.
Result<Translation> Session::forced(const DecodeOptions& o, const Forced& f)
{
    const Config& c = mModel->config();
    const int V = c.vocabSize;
    const std::vector<int>& target = f.targetIds;
    if (target.empty()) return error("the forced target is empty", Text("errors.empty_target"));
    for (int id : target)
        if (id < 0 || id >= V)
            return error("forced target id " + std::to_string(id) + " is outside the vocabulary [0, " +
                         std::to_string(V) + ")");
    if (int(target.size()) > c.maxPositions)
        return error("the forced target has " + std::to_string(target.size()) +
                         " tokens, more than max_position_embeddings = " + std::to_string(c.maxPositions),
                     Text("errors.target_too_long").count("tokens", (long long)target.size()).count("max", c.maxPositions));
    const int T = int(target.size());
    std::vector<int> inputs(1, c.decoderStartId);
    inputs.insert(inputs.end(), target.begin(), target.end() - 1);

    encodeOrReuse(o.capture, o.interventions);
    std::vector<float> logits(size_t(T) * V);
    sf::decode(mKernels, c, mWeights, inputs.data(), T, mState, logits.data(), mTrace.get(),
               o.interventions);
    Translation t = mSource;
    for (int r = 0; r < T; ++r) {
        const float* row = logits.data() + long(r) * V;
        t.outputIds.push_back(argmax(row, V));
        t.logProb += double(row[target[size_t(r)]]) - mKernels.logSumExp(row, V);
    }
    t.forcedIds = target;
    t.trace = mTrace;
    finish(t, o);
    t.decoderInputIds = inputs;  // the target shifted right, not the argmax outputs
    return t;
}

Translation Session::replay(const std::vector<int>& outputIds, const Interventions& iv)
{
    const Config& c = mModel->config();
    encode(true, iv);
    Translation t = mSource;
    int input = c.decoderStartId;
    for (int tok : outputIds) {
        const float* logits = step(input, iv);
        t.logProb += double(logits[tok]) - mKernels.logSumExp(logits, c.vocabSize);
        t.outputIds.push_back(tok);
        input = tok;
    }
    t.trace = mTrace;
    return t;
}

// Beam search as Hugging Face runs it (num_beams = N, early_stopping = False):
// - each step ranks the 2N best continuations of all live beams by total log-probability
//   (banned tokens excluded); in rank order, one ending in </s> within the first N ranks
//   becomes a finished hypothesis scored log P / length^A (length = output tokens with
//   </s>), one ending in </s> past rank N is dropped, others fill the next N live beams;
// - the search is done once N hypotheses are finished and the best candidate of this step,
//   normalised by the current length (decoder start included), cannot beat the worst one;
// - at max length every live beam competes as a hypothesis of length T + 1 (Hugging Face
//   transformers up to 4.35 count the decoder start token there; later versions count T).
// The winner is then decoded once more with capture on, so its Trace holds the numbers
// of that very path. Every candidate of every step is recorded in `beams`.
Result<Translation> Session::beamSearch(const DecodeOptions& o, const Beam& bm)
{
    const Config& c = mModel->config();
    const int V = c.vocabSize, N = bm.width;
    encodeOrReuse(false, o.interventions);
    struct Hyp {
        DecoderState state;
        std::vector<int> tokens;
        double logProb = 0.0;
        int node = -1;  // its node in the previous step's record
    };
    struct Done {
        std::vector<int> tokens;
        double logProb, score;
    };
    auto norm = [&](double logProb, size_t length) {
        return logProb / std::pow(double(std::max<size_t>(1, length)), bm.lengthPenalty);
    };
    std::vector<Hyp> beams(1);
    beams[0].state = mState;
    std::vector<Done> finished;  // at most N, the best by score
    std::vector<std::vector<BeamNode>> tree;
    std::vector<float> logits(static_cast<size_t>(V));
    std::vector<int> order(static_cast<size_t>(V));
    auto addFinished = [&](std::vector<int> toks, double logProb, size_t length) {
        finished.push_back({std::move(toks), logProb, norm(logProb, length)});
        std::stable_sort(finished.begin(), finished.end(), [](const Done& a, const Done& b) { return a.score > b.score; });
        if (int(finished.size()) > N) finished.pop_back();
    };

    bool done = false;
    for (int len = 0; len < o.maxLength && !done; ++len) {
        struct Cand {
            double logProb;
            int beam, token;
        };
        std::vector<Cand> cands;
        for (int b = 0; b < int(beams.size()); ++b) {
            Hyp& h = beams[size_t(b)];
            const int input = h.tokens.empty() ? c.decoderStartId : h.tokens.back();
            sf::decode(mKernels, c, mWeights, &input, 1, h.state, logits.data(), nullptr, o.interventions);
            const float lse = mKernels.logSumExp(logits.data(), V);
            for (int i = 0; i < V; ++i) logits[size_t(i)] -= lse;  // log-probabilities
            if (!ban(logits.data(), h.tokens, o)) return error(bannedAllMessage(len));
            const int k = std::min(V, 2 * N);
            std::iota(order.begin(), order.end(), 0);
            std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int a, int bb) {
                return logits[size_t(a)] > logits[size_t(bb)] || (logits[size_t(a)] == logits[size_t(bb)] && a < bb);
            });
            for (int i = 0; i < k; ++i)
                if (logits[size_t(order[size_t(i)])] != kNegInf)
                    cands.push_back({h.logProb + double(logits[size_t(order[size_t(i)])]), b, order[size_t(i)]});
        }
        std::stable_sort(cands.begin(), cands.end(), [](const Cand& a, const Cand& b) { return a.logProb > b.logProb; });
        if (int(cands.size()) > 2 * N) cands.resize(size_t(2 * N));

        std::vector<Hyp> next;
        std::vector<BeamNode>& nodes = tree.emplace_back();
        for (int rank = 0; rank < int(cands.size()); ++rank) {
            const Cand& cd = cands[size_t(rank)];
            BeamNode node;
            node.tokens = beams[size_t(cd.beam)].tokens;
            node.tokens.push_back(cd.token);
            node.logProb = node.score = cd.logProb;
            node.parent = beams[size_t(cd.beam)].node;
            node.state = BeamNode::Pruned;
            if (int(next.size()) < N) {
                if (o.stopAtEos && cd.token == c.eosId) {
                    if (rank < N) {
                        node.state = BeamNode::Finished;
                        node.score = norm(cd.logProb, node.tokens.size());
                        addFinished(node.tokens, cd.logProb, node.tokens.size());
                    }
                } else {
                    node.state = BeamNode::Alive;
                    next.push_back(Hyp{beams[size_t(cd.beam)].state, node.tokens, cd.logProb, int(nodes.size())});
                }
            }
            nodes.push_back(std::move(node));
        }
        // HF's is_done: N finished and the best this step can offer, at the current length
        // (decoder start + outputs before this step), does not beat the worst finished.
        if (int(finished.size()) >= N && !cands.empty())
            done = finished.back().score >= norm(cands[0].logProb, size_t(len + 1));
        if (next.empty()) done = true;
        beams = std::move(next);
    }
    if (!done)
        for (const Hyp& h : beams) addFinished(h.tokens, h.logProb, h.tokens.size() + 1);
    if (finished.empty()) return error("beam search finished no hypothesis");
    const Done best = finished[0];

    Translation t = o.capture ? replay(best.tokens, o.interventions) : mSource;
    t.outputIds = best.tokens;
    t.logProb = best.logProb;
    t.beams = std::move(tree);
    t.beam = bm;
    finish(t, o);
    return t;
}

void Session::finish(Translation& t, const DecodeOptions& o) const
{
    const Config& c = mModel->config();
    t.decoding = strategyName(o.strategy);
    t.interventions = o.interventions;
    t.decoderCausal = decoderCausalMask(c, o.interventions);
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
