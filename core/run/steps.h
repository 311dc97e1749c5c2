// The teaching walk over a translation: every operation of the Transformer in the order
// it runs, as a list of Steps (fine granularity); the coarse walk keeps one step per
// architecture block and decoded token. Built from the config and the decoded length
// alone; each step names the Trace tensor it shows. Views render a Step; they compute
// nothing.
//
// L_e, L_d = encoder / decoder layers, T = output tokens. Fine step count:
//   4 + 11 L_e + T (6 + 20 L_d)
#pragma once

#include "core/model/config.h"
#include "core/run/session.h"
#include "core/text/text.h"

#include <string>
#include <vector>

namespace sf {

// The blocks of the paper's Figure 1.
enum class Block {
    InputEmbedding, EncoderPositions, EncoderAttention, EncoderAddNorm1, EncoderFeedForward, EncoderAddNorm2,
    OutputEmbedding, DecoderPositions, DecoderMaskedAttention, DecoderAddNorm1, DecoderCrossAttention,
    DecoderAddNorm2, DecoderFeedForward, DecoderAddNorm3, Linear, Softmax
};
constexpr int kBlockCount = 16;

enum class Stage {
    SourceTokens,    // pieces and ids
    Embedding,       // rows of the embedding table, x sqrt(d_model)
    Positions,       // sinusoidal positions added to the embeddings
    Projections,     // Q, K, V = x W^T + b
    Heads,           // the split into H heads of dk columns
    Scores,          // Q_h K_h^T / sqrt(dk)
    Mask,            // the causal mask (decoder self-attention)
    Weights,         // softmax over keys
    Context,         // weights x V
    AttentionOutput, // heads concatenated, x W_O
    AllHeads,        // every head's weights side by side
    AddNorm,         // residual + layer norm
    FfnHidden,       // act(x W1^T + b1)
    FfnOutput,       // x W2^T + b2
    EncoderOutput,   // the memory cross-attention reads
    DecoderInput,    // start token + outputs so far: shifted right
    Logits,          // x E^T
    Probabilities,   // softmax over the vocabulary; top 10
    ChooseToken      // argmax: the token moves into the output and the next input
};

enum class Sublayer { None, SelfAttention, CrossAttention, FeedForward };

// How the decoder's start token (decoder_start_token_id) is written wherever it is shown:
// token labels, notices and the formula "decoder input = [<start>, y_1, …]".
constexpr const char* kStartLabel = "<start>";

struct Step {
    Stage stage = Stage::SourceTokens;
    Block block = Block::InputEmbedding;
    bool decoder = false;
    int layer = -1;                    // -1 outside the layer stack
    Sublayer sublayer = Sublayer::None;
    int t = -1;                        // decoding step (row of every decoder tensor); -1 on the encoder
    bool coarse = false;               // kept by the coarse walk

    // A tensor of this step's attention (trace_names::attention): part q k v scores weights
    // context output residual, e.g. "decoder.layers.1.cross_attn.weights".
    std::string attentionTensor(const char* part) const;
    // The Trace tensors this step shows, the main one first (trace_names.h): views read
    // these instead of building names.
    std::vector<std::string> tensors() const;
    // The main one: tensors().front().
    std::string tensor() const;
    // "Decoder layer 2 · masked self-attention · Scores (step 3)": key "steps.title.*" with
    // the stack, layer, sublayer, stage and step as arguments.
    Text title() const;
};

std::vector<Step> buildSteps(const Config& c, int outputTokens);
// Index of the next / previous coarse step (or the ends).
int nextCoarse(const std::vector<Step>& steps, int from);
int previousCoarse(const std::vector<Step>& steps, int from);
// The coarse walk's length, and the 1-based number of the coarse step at or before
// `index` (what "step k / K" says in coarse mode).
int coarseCount(const std::vector<Step>& steps);
int coarseNumber(const std::vector<Step>& steps, int index);
// First step of a block in `layer` (at decoding step t for decoder blocks): what clicking
// the block in the diagram jumps to. Where the block has no such layer (or step), its
// first layer (or step) instead; -1 only when the walk never reaches the block.
int firstStepOf(const std::vector<Step>& steps, Block b, int layer, int t);

// The label of a block in the paper's Figure 1: "blocks.multi_head_attention" ->
// "Multi-Head Attention", "blocks.add_norm" -> "Add & Norm", ...
Text blockName(Block b);

// What the Explain panel shows for a step: plain-language text, the formula, the paper
// section, and one thing to notice about this very sentence (read off the Trace). Each is
// a key of resources/texts/<lang>/steps.json with this step's facts as arguments.
struct StepText {
    Text explanation;
    Text formula;
    Text section;
    Text notice;
};
StepText explain(const Step& s, const Config& c, const Translation& t);

// An Add & Norm step taken apart, from the recorded tensors (rows [0, n) shown at the step):
// x, the stream that entered the sublayer (the previous layer's output, the stack's input
// or the previous sublayer's result), the sublayer's output, their sum x + Sublayer(x)
// (post-norm: what layer norm receives; pre-norm: the result itself), the result, and the
// mean and standard deviation of each row of the sum. Empty (n = 0) at any other step or
// when the trace lacks a tensor.
struct AddNormParts {
    int n = 0, d = 0;
    std::string inputName, sublayerName, resultName;  // trace names of x, Sublayer(x), result
    std::vector<float> x, sublayer, sum, result;       // [n, d] each
    std::vector<float> mean, stddev;                   // [n]: of the rows of `sum`
};
AddNormParts addNormParts(const Step& s, const Translation& t);

}  // namespace sf
