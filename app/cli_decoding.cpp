#include "app/cli_decoding.h"

#include "app/cli.h"
#include "app/cli_options.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace sf::cli {

void addDecodingOptions(QCommandLineParser& p)
{
    p.addOption({"beam", "Beam search of width N (1 = greedy).", "N", "1"});
    p.addOption({"length-penalty", "Beam score = log P / length^A.", "A", "1"});
    p.addOption({"sample", "Sample each token from the (reshaped) distribution."});
    p.addOption({"temperature", "Sampling temperature T > 0.", "T", "1"});
    p.addOption({"top-k", "Sample among the K most probable tokens (0 = all).", "K", "0"});
    p.addOption({"top-p", "Sample within the smallest set of mass P, P in (0, 1].", "P", "1"});
    p.addOption({"seed", "Sampling seed (default: random, recorded in the trace).", "S"});
    p.addOption({"force", "Teacher forcing on this target sentence.", "TARGET"});
    p.addOption({"force-ids", "Teacher forcing on these target ids (e.g. 5,17,3).", "LIST"});
    p.addOption({"intervene", "ablate:STACK.L.KIND.H, no-positions, no-scale or no-causal-mask (repeatable).",
                 "SPEC"});
    p.addOption({"min-length", "Minimum output tokens before </s>.", "N", "0"});
    p.addOption({"max-length", "Maximum output tokens (0 = automatic).", "N", "0"});
    p.addOption({"device", "The backend: cpu (default) or cuda (`stepformer devices` lists this build's).", "NAME",
                 "cpu"});
}

int readDevice(const QCommandLineParser& p, const Kernels** backend)
{
    const std::string name = p.value("device").toStdString();
    const std::vector<std::string>& known = backendNames();
    if (std::find(known.begin(), known.end(), name) == known.end())
        return fail("--device takes cpu or cuda, not '" + name + "'", Usage);
    *backend = findBackend(name);
    if (!*backend) {
        std::string have;
        for (const Kernels* k : backends()) have += std::string(have.empty() ? "" : ", ") + k->name();
        return fail("--device " + name + ": this build has no " + name + " backend (it has: " + have + ")", BadInput);
    }
    return Ok;
}

namespace {

bool doubleOption(const QCommandLineParser& p, const QString& name, double* out)
{
    bool ok = false;
    const double v = p.value(name).toDouble(&ok);
    if (!ok || !std::isfinite(v)) {
        fail("--" + name.toStdString() + " takes a number, not '" + p.value(name).toStdString() + "'", Usage);
        return false;
    }
    *out = v;
    return true;
}

// readDecodingOptions; with a null model, only the checks that need none.
int readOptions(const QCommandLineParser& p, const Model* model, DecodeOptions* o)
{
    if (!intOption(p, "min-length", 0, 1 << 20, &o->minLength) || !intOption(p, "max-length", 0, 1 << 20, &o->maxLength))
        return Usage;
    const bool beam = p.isSet("beam"), sample = p.isSet("sample"), force = p.isSet("force") || p.isSet("force-ids");
    if (int(beam) + int(sample) + int(force) > 1)
        return fail("--beam, --sample and --force choose the decoding: give one of them", Usage);
    if (p.isSet("force") && p.isSet("force-ids")) return fail("give --force or --force-ids, not both", Usage);
    for (const char* opt : {"temperature", "top-k", "top-p", "seed"})
        if (p.isSet(opt) && !sample) return fail(std::string("--") + opt + " needs --sample", Usage);
    if (p.isSet("length-penalty") && !beam) return fail("--length-penalty needs --beam", Usage);

    if (beam) {
        Beam b;
        if (!intOption(p, "beam", 1, kMaxBeamWidth, &b.width) || !doubleOption(p, "length-penalty", &b.lengthPenalty)) return Usage;
        if (b.width == 1 && !p.isSet("length-penalty")) o->strategy = Greedy{};  // width 1 is greedy
        else o->strategy = b;
    } else if (sample) {
        Sampling s;
        if (!doubleOption(p, "temperature", &s.temperature) || !doubleOption(p, "top-p", &s.topP) ||
            !intOption(p, "top-k", 0, 1 << 30, &s.topK))
            return Usage;
        if (!(s.temperature > 0.0)) return fail("--temperature must be above 0", Usage);
        if (!(s.topP > 0.0 && s.topP <= 1.0)) return fail("--top-p must be in (0, 1]", Usage);
        if (p.isSet("seed")) {
            bool ok = false;
            s.seed = p.value("seed").toULongLong(&ok);
            if (!ok) return fail("--seed takes a non-negative integer, not '" + p.value("seed").toStdString() + "'", Usage);
        } else {
            s.seed = (uint64_t(std::random_device{}()) << 32) ^ std::random_device{}();
        }
        o->strategy = s;
    } else if (force && model) {  // the target's ids need the model's tokenizer and </s>
        const Config& c = model->config();
        Forced f;
        if (p.isSet("force-ids")) {
            if (!parseIdList(p.value("force-ids"), &f.targetIds))
                return fail("--force-ids takes comma-separated non-negative integers, e.g. 5,17,3", Usage);
            if (f.targetIds.back() != c.eosId) f.targetIds.push_back(c.eosId);  // as a tokenized target
        } else {
            const text::Tokenizer* tok = model->tokenizer();
            if (!tok) return fail(model->directory() + ": this model has no tokenizer; give --force-ids");
            f.targetIds = tok->encodeTarget(p.value("force").toStdString()).ids;
        }
        o->strategy = f;
    }

    for (const QString& spec : p.values("intervene")) {
        if (!model) {  // layer and head ranges need the model; the mask's rule below does not
            o->interventions.noCausalMask = o->interventions.noCausalMask || spec == "no-causal-mask";
            continue;
        }
        Status s = addIntervention(o->interventions, spec.toStdString(), model->config());
        if (!s) return fail("--intervene " + s.message(), Usage);
    }
    if (o->interventions.noCausalMask && !force)
        return fail("--intervene no-causal-mask needs --force: token by token there are no later positions to hide",
                    Usage);
    return Ok;
}

}  // namespace

int readDecodingOptions(const QCommandLineParser& p, const Model& model, DecodeOptions* o)
{
    return readOptions(p, &model, o);
}

int checkDecodingUsage(const QCommandLineParser& p)
{
    DecodeOptions unused;
    return readOptions(p, nullptr, &unused);
}

}  // namespace sf::cli
