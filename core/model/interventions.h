// Interventions: changes to the forward pass that answer the students' "why" questions
// (DESIGN.md, "Decoding and interventions"). A value, parsed from the CLI's
// --intervene SPEC strings, carried down to the attention and embedding code and
// recorded in trace.json as the specs it was built from.
//
//   ablate:STACK.L.KIND.H   head H of layer L contributes nothing: its context rows are 0
//                           (scores and weights are computed and recorded as usual)
//   no-positions            no positional encoding is added (*.positions are zeros)
//   no-scale                scores are q k^T, not q k^T / sqrt(dk), in every attention
//   no-causal-mask          the decoder's self-attention sees later positions (teacher
//                           forcing only: token by token there is nothing later to hide)
#pragma once

#include "core/model/config.h"
#include "core/model/trace_names.h"
#include "core/result.h"

#include <string>
#include <vector>

namespace sf {

// One attention head, named as in the trace: encoder.layers.{layer}.self_attn, head h.
struct HeadRef {
    Stack stack = Stack::Encoder;
    int layer = 0;
    AttentionKind kind = AttentionKind::Self;
    int head = 0;
    bool operator==(const HeadRef& o) const
    {
        return stack == o.stack && layer == o.layer && kind == o.kind && head == o.head;
    }
};

struct Interventions {
    std::vector<HeadRef> ablated;  // in the order given, no duplicates
    bool noPositions = false;
    bool noScale = false;
    bool noCausalMask = false;

    bool empty() const { return ablated.empty() && !noPositions && !noScale && !noCausalMask; }
    // Whether head h of this attention is ablated.
    bool isAblated(Stack s, int layer, AttentionKind k, int h) const;
    // One flag per head of one attention: true = ablated.
    std::vector<bool> ablatedHeads(Stack s, int layer, AttentionKind k, int heads) const;
    // The specs, canonical and in order: "ablate:decoder.2.cross_attn.3", "no-scale", ...
    std::vector<std::string> specs() const;
};

std::string headSpec(const HeadRef& h);  // "decoder.2.cross_attn.3"

// Whether the decoder's self-attention hides later positions (sec 3.2.3): the model has the
// mask (decoder_causal_mask) and no intervention removed it. The one place this is
// decided: the forward applies it, the Translation records it, the views read that.
bool decoderCausalMask(const Config& c, const Interventions& iv);

// Adds one --intervene SPEC, checked against the model (layer and head in range, an
// encoder has no cross-attention). Errors name the spec: "ablate:encoder.9.self_attn.0:
// layer 9 is out of range (the encoder has 3 layers)".
Status addIntervention(Interventions& iv, const std::string& spec, const Config& c);
Result<Interventions> parseInterventions(const std::vector<std::string>& specs, const Config& c);

}  // namespace sf
