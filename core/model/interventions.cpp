#include "core/model/interventions.h"

#include <algorithm>
#include <sstream>

namespace sf {

bool decoderCausalMask(const Config& c, const Interventions& iv) { return c.decoderCausalMask && !iv.noCausalMask; }

bool Interventions::isAblated(Stack s, int layer, AttentionKind k, int h) const
{
    return std::find(ablated.begin(), ablated.end(), HeadRef{s, layer, k, h}) != ablated.end();
}

std::vector<bool> Interventions::ablatedHeads(Stack s, int layer, AttentionKind k, int heads) const
{
    if (ablated.empty()) return {};  // no allocation on the common path
    std::vector<bool> out(size_t(heads), false);
    for (const HeadRef& r : ablated)
        if (r.stack == s && r.layer == layer && r.kind == k && r.head < heads) out[size_t(r.head)] = true;
    return out;
}

std::string headSpec(const HeadRef& h)
{
    return std::string(trace_names::stackName(h.stack)) + "." + std::to_string(h.layer) + "." +
           trace_names::kindName(h.kind) + "." + std::to_string(h.head);
}

std::vector<std::string> Interventions::specs() const
{
    std::vector<std::string> out;
    for (const HeadRef& h : ablated) out.push_back("ablate:" + headSpec(h));
    if (noPositions) out.push_back("no-positions");
    if (noScale) out.push_back("no-scale");
    if (noCausalMask) out.push_back("no-causal-mask");
    return out;
}

namespace {

// "12" -> 12; false on anything but a plain non-negative decimal that fits an int.
bool parseIndex(const std::string& s, int* out)
{
    if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
        return false;
    *out = std::stoi(s);
    return true;
}

}  // namespace

Status addIntervention(Interventions& iv, const std::string& spec, const Config& c)
{
    if (spec == "no-positions") return iv.noPositions = true, Status{};
    if (spec == "no-scale") return iv.noScale = true, Status{};
    if (spec == "no-causal-mask") return iv.noCausalMask = true, Status{};
    const std::string prefix = "ablate:";
    if (spec.compare(0, prefix.size(), prefix) != 0)
        return error("'" + spec + "' is not an intervention (ablate:STACK.L.KIND.H, no-positions, no-scale, "
                     "no-causal-mask)");
    std::vector<std::string> parts;
    std::stringstream ss(spec.substr(prefix.size()));
    for (std::string part; std::getline(ss, part, '.');) parts.push_back(part);
    if (parts.size() != 4)
        return error("'" + spec + "': expected ablate:STACK.L.KIND.H, e.g. ablate:decoder.2.cross_attn.3");
    HeadRef h;
    if (parts[0] == "encoder") h.stack = Stack::Encoder;
    else if (parts[0] == "decoder") h.stack = Stack::Decoder;
    else return error("'" + spec + "': the stack '" + parts[0] + "' is not encoder or decoder");
    if (parts[2] == "self_attn") h.kind = AttentionKind::Self;
    else if (parts[2] == "cross_attn") h.kind = AttentionKind::Cross;
    else return error("'" + spec + "': the attention '" + parts[2] + "' is not self_attn or cross_attn");
    if (h.stack == Stack::Encoder && h.kind == AttentionKind::Cross)
        return error("'" + spec + "': the encoder has no cross-attention");
    const bool enc = h.stack == Stack::Encoder;
    const int layers = enc ? c.encoderLayers : c.decoderLayers;
    const int heads = enc ? c.encoderHeads : c.decoderHeads;
    if (!parseIndex(parts[1], &h.layer) || h.layer >= layers)
        return error("'" + spec + "': layer " + parts[1] + " is out of range (the " + parts[0] + " has " +
                     std::to_string(layers) + " layers, 0-based)");
    if (!parseIndex(parts[3], &h.head) || h.head >= heads)
        return error("'" + spec + "': head " + parts[3] + " is out of range (" + std::to_string(heads) +
                     " heads, 0-based)");
    if (std::find(iv.ablated.begin(), iv.ablated.end(), h) == iv.ablated.end()) iv.ablated.push_back(h);
    return {};
}

Result<Interventions> parseInterventions(const std::vector<std::string>& specs, const Config& c)
{
    Interventions iv;
    for (const std::string& s : specs) {
        Status st = addIntervention(iv, s, c);
        if (!st) return error(st.message());
    }
    return iv;
}

}  // namespace sf
