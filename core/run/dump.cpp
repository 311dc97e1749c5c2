#include "core/run/dump.h"

#include "core/io/npy.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

namespace sf {

std::string translationJson(const Translation& t, bool withTensors, int indent)
{
    nlohmann::ordered_json j;
    j["source_text"] = t.sourceText;
    j["source_pieces"] = t.sourcePieces;
    j["source_ids"] = t.sourceIds;
    j["decoder_input_ids"] = t.decoderInputIds;
    j["output_ids"] = t.outputIds;
    j["output_pieces"] = t.outputPieces;
    j["output_text"] = t.outputText;
    j["decoding"] = t.decoding;
    j["log_prob"] = t.logProb;
    j["interventions"] = t.interventions.specs();
    if (t.decoding == "beam") {
        nlohmann::ordered_json steps = nlohmann::ordered_json::array();
        for (const std::vector<BeamNode>& step : t.beams) {
            nlohmann::ordered_json nodes = nlohmann::ordered_json::array();
            for (const BeamNode& n : step)
                nodes.push_back({{"tokens", n.tokens},
                                 {"log_prob", n.logProb},
                                 {"score", n.score},
                                 {"parent", n.parent},
                                 {"state", beamStateName(n.state)}});
            steps.push_back(std::move(nodes));
        }
        j["beams"] = std::move(steps);
    } else if (t.decoding == "sample") {
        j["seed"] = t.sampling.seed;
        j["temperature"] = t.sampling.temperature;
        j["top_k"] = t.sampling.topK;
        j["top_p"] = t.sampling.topP;
    } else if (t.decoding == "forced") {
        j["forced_ids"] = t.forcedIds;
    }
    if (!t.warnings.empty()) j["warnings"] = t.warnings;
    if (withTensors && t.trace) {
        nlohmann::ordered_json tensors = nlohmann::ordered_json::object();
        for (const std::string& name : t.trace->names())
            tensors[name] = {{"file", name + ".npy"}, {"shape", t.trace->find(name)->shape()}};
        j["tensors"] = tensors;
    }
    // Pieces may hold bytes that are not UTF-8 (byte fallback): replace, never throw.
    return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Status dumpTranslation(const Translation& t, const std::string& dir)
{
    if (!t.trace) return error(dir + ": nothing to dump (the translation ran without capture)");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return error(dir + ": cannot create the directory (" + ec.message() + ")");
    for (const std::string& name : t.trace->names()) {
        Status s = io::writeNpy((std::filesystem::path(dir) / (name + ".npy")).string(), t.trace->get(name));
        if (!s) return s;
    }
    const std::string path = (std::filesystem::path(dir) / "trace.json").string();
    std::ofstream f(path, std::ios::binary);
    f << translationJson(t, true, 2) << "\n";
    if (!f) return error(path + ": write failed");
    return {};
}

}  // namespace sf
