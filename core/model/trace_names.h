// Trace names in one place (DESIGN.md "Trace"): one function per name pattern, used by the
// forward pass that records them, the session, the teaching steps, the views and the
// tests. Nothing else assembles a trace name from strings.
//
//   embed(Encoder)                     "encoder.embed"
//   attention(Decoder, 1, Cross, "weights")  "decoder.layers.1.cross_attn.weights"
//   ffn(Encoder, 0, "hidden")          "encoder.layers.0.ffn.hidden"
#pragma once

#include <string>

namespace sf {

enum class Stack { Encoder, Decoder };
enum class AttentionKind { Self, Cross };

namespace trace_names {

inline const char* stackName(Stack s) { return s == Stack::Encoder ? "encoder" : "decoder"; }
inline const char* kindName(AttentionKind k) { return k == AttentionKind::Self ? "self_attn" : "cross_attn"; }

// [S|T, d] rows of the stack's input side.
inline std::string embed(Stack s) { return std::string(stackName(s)) + ".embed"; }
inline std::string positions(Stack s) { return std::string(stackName(s)) + ".positions"; }
inline std::string input(Stack s) { return std::string(stackName(s)) + ".input"; }
// The stack's output (after the final norm of a pre-norm stack).
inline std::string output(Stack s) { return std::string(stackName(s)) + ".output"; }

// "encoder.layers.2"
inline std::string layer(Stack s, int l) { return std::string(stackName(s)) + ".layers." + std::to_string(l); }
// "decoder.layers.1.cross_attn"
inline std::string attention(Stack s, int l, AttentionKind k) { return layer(s, l) + "." + kindName(k); }
// part: q k v [H, n, dk], scores weights [H, n, nk], context [H, n, dk], output residual [n, d]
inline std::string attention(Stack s, int l, AttentionKind k, const char* part)
{
    return attention(s, l, k) + "." + part;
}
// part: hidden [n, F], output [n, d]
inline std::string ffn(Stack s, int l, const char* part) { return layer(s, l) + ".ffn." + part; }
// The layer's output [n, d].
inline std::string layerOutput(Stack s, int l) { return layer(s, l) + ".output"; }

inline std::string logits() { return "decoder.logits"; }               // [T, V]
inline std::string probs() { return "decoder.probs"; }                 // [T, V] softmax(logits)
inline std::string sampleProbs() { return "decoder.sample_probs"; }    // [T, V] what sampling drew from

}  // namespace trace_names
}  // namespace sf
