#include "core/run/dump.h"

#include "core/io/npy.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <unistd.h>

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
    j["decoder_causal_mask"] = t.decoderCausal;
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
        j["beam_width"] = t.beam.width;
        j["length_penalty"] = t.beam.lengthPenalty;
    } else if (t.decoding == "sample") {
        j["seed"] = t.sampling.seed;
        j["temperature"] = t.sampling.temperature;
        j["top_k"] = t.sampling.topK;
        j["top_p"] = t.sampling.topP;
    } else if (t.decoding == "forced") {
        j["forced_ids"] = t.forcedIds;
    }
    if (!t.warnings.empty()) {
        // As facts: {"key": "warnings.source_truncated", "tokens": 300, "max": 128}.
        nlohmann::ordered_json ws = nlohmann::ordered_json::array();
        for (const Text& w : t.warnings) {
            nlohmann::ordered_json o = {{"key", w.key}};
            for (const Text::Arg& a : w.args) {
                if (a.kind == Text::Arg::Kind::Count) o[a.name] = (long long)a.value;
                else if (a.kind == Text::Arg::Kind::Number || a.kind == Text::Arg::Kind::Percent) o[a.name] = a.value;
                else o[a.name] = a.text;
            }
            ws.push_back(std::move(o));
        }
        j["warnings"] = std::move(ws);
    }
    if (withTensors && t.trace) {
        nlohmann::ordered_json tensors = nlohmann::ordered_json::object();
        for (const std::string& name : t.trace->names())
            tensors[name] = {{"file", name + ".npy"}, {"shape", t.trace->find(name)->shape()}};
        j["tensors"] = tensors;
    }
    // Pieces may hold bytes that are not UTF-8 (byte fallback): replace, never throw.
    return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

namespace {

namespace fs = std::filesystem;

// A directory a dump may replace: empty, or holding only trace.json and .npy files (an
// earlier dump). Anything else (a home directory, a project) is never moved or removed.
bool replaceable(const fs::path& dir)
{
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
        const fs::path name = e.path().filename();
        if (name != "trace.json" && name.extension() != ".npy") return false;
        if (!fs::is_regular_file(e.symlink_status(ec)) && !fs::is_symlink(e.symlink_status(ec))) return false;
    }
    return !ec;
}

Status writeText(const std::string& path, const std::string& text)
{
    // O_EXCL in a directory we just made: never through a planted symlink.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return error(path + ": cannot create (" + std::strerror(errno) + ")");
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            return error(path + ": write failed");
        }
        done += size_t(n);
    }
    const bool ok = ::fsync(fd) == 0;
    if (::close(fd) != 0 || !ok) return error(path + ": write failed");
    return {};
}

}  // namespace

// The dump is written into a fresh sibling DIR.dumping, then switched into place (DIR to
// DIR.previous, DIR.dumping to DIR, DIR.previous removed): a failed dump leaves the old
// one untouched, and nothing is written through a symlink planted inside DIR.
Status dumpTranslation(const Translation& t, const std::string& dirIn)
{
    if (!t.trace) return error(dirIn + ": nothing to dump (the translation ran without capture)");
    std::string dir = dirIn;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    const fs::path live(dir), staging(dir + ".dumping"), previous(dir + ".previous");
    std::error_code ec;
    const fs::file_status st = fs::symlink_status(live, ec);
    const bool hadLive = fs::exists(st);
    if (hadLive && (!fs::is_directory(st) || !replaceable(live)))
        return error(dir + ": exists and is not an earlier dump (only trace.json and .npy files may be "
                           "replaced); choose a new or empty directory");
    if (!live.parent_path().empty()) {
        fs::create_directories(live.parent_path(), ec);
        if (ec) return error(live.parent_path().string() + ": cannot create the directory (" + ec.message() + ")");
    }
    fs::remove_all(staging, ec);  // remove_all does not follow symlinks
    fs::remove_all(previous, ec);
    if (!fs::create_directory(staging, ec) || ec)
        return error(staging.string() + ": cannot create the directory (" + ec.message() + ")");
    auto abandon = [&](Status s) {
        std::error_code ignored;
        fs::remove_all(staging, ignored);
        return s;
    };
    for (const std::string& name : t.trace->names()) {
        Status s = io::writeNpy((staging / (name + ".npy")).string(), t.trace->get(name));
        if (!s) return abandon(s);
    }
    Status s = writeText((staging / "trace.json").string(), translationJson(t, true, 2) + "\n");
    if (!s) return abandon(s);

    if (hadLive) {
        fs::rename(live, previous, ec);
        if (ec) return abandon(error(dir + ": cannot move the earlier dump aside (" + ec.message() + ")"));
    }
    fs::rename(staging, live, ec);
    if (ec) {
        std::error_code back;
        if (hadLive) fs::rename(previous, live, back);
        return abandon(error(dir + ": cannot move the dump into place (" + ec.message() + ")"));
    }
    fs::remove_all(previous, ec);
    return {};
}

}  // namespace sf
