// stepformer train --task en-fr|en-zh|zh-en|chat|copy|reverse|sort --out DIR [options]
// stepformer eval --model DIR --task en-fr|en-zh|zh-en|chat|copy|reverse|sort [--n 1000] [--json]
// stepformer bench train [--steps 30] [--json]
//
// en-fr: a deterministic English->French corpus from the grammar in
// resources/lexicon/en-fr.json, one shared SentencePiece vocabulary trained on it, and a
// paper-faithful Transformer (post-norm, interleaved sinusoids, ReLU, shared embeddings
// scaled by sqrt(d)). Held-out sentences come from the grammar's test side, which never
// overlaps the training side. en-zh, zh-en and chat: app/cli_text_tasks.h.
#include "app/cli.h"
#include "app/cli_grammar.h"
#include "app/cli_options.h"
#include "app/cli_text_tasks.h"

#include "core/run/lab.h"
#include "core/run/session.h"
#include "core/text/bleu.h"
#include "core/text/corpus.h"
#include "core/text/text_task.h"
#include "core/text/grammar.h"
#include "core/text/tokenizer.h"
#include "core/train/text_data.h"
#include "core/train/studio.h"
#include "core/train/trainer.h"

#include <QCommandLineParser>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <unistd.h>

namespace sf::cli {

namespace fs = std::filesystem;

namespace {

const char* kAlgorithmicTasks[] = {"copy", "reverse", "sort"};

bool knownTask(const std::string& t)
{
    return text::isZhTask(t) || text::findGrammarTask(t) ||
           std::find(std::begin(kAlgorithmicTasks), std::end(kAlgorithmicTasks), t) != std::end(kAlgorithmicTasks);
}

std::string taskList() { return text::grammarTaskList() + ", chat, copy, reverse or sort"; }

using train::algorithmicExamples;  // copy, reverse, sort (core/train/studio.h)

std::string formatDuration(double seconds)
{
    const int s = int(std::lround(std::max(0.0, seconds)));
    char b[32];
    std::snprintf(b, sizeof b, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    return b;
}

}  // namespace

int train(const QStringList& args)
{
    QCommandLineParser p;
    p.addOption({"task", QString::fromStdString(taskList()) + ".", "TASK"});
    p.addOption({"out", "Checkpoint directory (a model directory).", "DIR"});
    p.addOption({"steps", "Optimizer steps.", "N", "6000"});
    p.addOption({"batch", "Sentences per batch.", "N", "64"});
    p.addOption({"train-size", "Training sentence pairs.", "N", "60000"});
    p.addOption({"vocab", "SentencePiece vocabulary, at most (en-fr), or id range (algorithmic tasks).", "N", "1000"});
    p.addOption({"d-model", "d_model.", "N", "128"});
    p.addOption({"layers", "Encoder and decoder layers.", "N", "3"});
    p.addOption({"heads", "Attention heads.", "N", "4"});
    p.addOption({"ffn", "Feed-forward width.", "N", "512"});
    p.addOption({"warmup", "Warmup steps of the learning-rate schedule.", "N", "1000"});
    p.addOption({"lr-scale", "Multiplies the paper's learning rate.", "X", "1.0"});
    p.addOption({"dropout", "Dropout.", "P", "0.1"});
    p.addOption({"clip", "Gradient clipping norm (0 = off).", "X", "1.0"});
    p.addOption({"seed", "Seed for data, initialisation and batches.", "N", "1"});
    p.addOption({"resume", "Continue from the checkpoint in --out."});
    p.addOption({"anchor-copies", "Copies of each example sentence (the lexicon's anchors) added to the training side.",
                 "N", "20"});
    p.addOption({"save-every", "Checkpoint every N steps.", "N", "1000"});
    p.addOption({"preset", "Start from a named configuration (studio: reverse, 2+2 layers, d_model 64); the other options override it.", "NAME"});
    p.addOption({"no-positions", "Train without positional encoding (position_encoding none)."});
    p.addOption({"no-causal-mask", "Train the decoder without the causal mask (decoder_causal_mask false)."});
    p.addOption({"no-scale", "Attention scores without the 1/sqrt(dk) factor (attention_scale false)."});
    p.addOption({"pre-norm", "x + Sublayer(LayerNorm(x)) instead of the paper's LayerNorm(x + Sublayer(x))."});
    p.addOption({"eval-n", "Held-out examples scored free-running at the end (0 = none).", "N", "200"});
    p.addOption({"json", "End with one JSON line: exact_match (held-out, free-running), final_loss, steps, seconds."});
    if (const int code = parseArgs(p, "train", args); code >= 0) return code;
    // A preset fills in every option not given on the command line.
    if (p.isSet("preset")) {
        auto pr = train::preset(p.value("preset").toStdString());
        if (!pr) return fail("--preset: " + pr.message(), Usage);
        const train::Preset& ps = *pr;
        QStringList filled;  // the arguments without --preset, then the preset's values
        for (int i = 0; i < args.size(); ++i) {
            if (args[i] == "--preset" || args[i] == "-preset") ++i;  // and its value
            else if (!args[i].startsWith("--preset=")) filled << args[i];
        }
        auto give = [&](const char* key, const std::string& v) {
            if (!p.isSet(key)) filled << QString("--%1").arg(key) << QString::fromStdString(v);
        };
        give("task", ps.task);
        give("steps", std::to_string(ps.options.steps));
        give("batch", std::to_string(ps.options.batchSize));
        give("train-size", std::to_string(ps.trainSize));
        give("vocab", std::to_string(ps.vocab));
        give("d-model", std::to_string(ps.arch.dModel));
        give("layers", std::to_string(ps.arch.layers));
        give("heads", std::to_string(ps.arch.heads));
        give("ffn", std::to_string(ps.arch.ffn));
        give("warmup", std::to_string(ps.options.warmup));
        give("dropout", std::to_string(ps.options.dropout));
        give("clip", std::to_string(ps.options.clipNorm));
        return train(filled);
    }
    const std::string task = p.value("task").toStdString(), out = p.value("out").toStdString();
    if (!knownTask(task)) return fail("--task is " + taskList(), Usage);
    if (out.empty()) return fail("--out DIR is required", Usage);
    int steps, batch, trainSize, vocab, d, layers, heads, ffn, warmup, seed, saveEvery, anchorCopies;
    if (!intOption(p, "steps", 1, 10000000, &steps) || !intOption(p, "batch", 1, 4096, &batch) ||
        !intOption(p, "train-size", 10, 10000000, &trainSize) || !intOption(p, "vocab", 16, 64000, &vocab) ||
        !intOption(p, "d-model", 8, 4096, &d) || !intOption(p, "layers", 1, 24, &layers) ||
        !intOption(p, "heads", 1, 64, &heads) || !intOption(p, "ffn", 8, 65536, &ffn) ||
        !intOption(p, "warmup", 1, 10000000, &warmup) || !intOption(p, "seed", 0, 1 << 30, &seed) ||
        !intOption(p, "save-every", 0, 10000000, &saveEvery) || !intOption(p, "anchor-copies", 0, 100000, &anchorCopies))
        return Usage;
    bool okF = true;
    const float lrScale = p.value("lr-scale").toFloat(&okF);
    bool okD = true, okC = true;
    const float dropout = p.value("dropout").toFloat(&okD), clip = p.value("clip").toFloat(&okC);
    if (!okF || !okD || !okC || lrScale <= 0 || dropout < 0 || dropout >= 1 || clip < 0)
        return fail("--lr-scale > 0, --dropout in [0, 1), --clip >= 0", Usage);
    if (d % heads != 0) return fail("--heads must divide --d-model", Usage);

    int evalN;
    if (!intOption(p, "eval-n", 0, 1000000, &evalN)) return Usage;

    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) return fail(out + ": cannot create the directory (" + ec.message() + ")");

    // Data.
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<train::Example> examples;
    train::Architecture arch;
    arch.layers = layers, arch.heads = heads, arch.dModel = d, arch.ffn = ffn;
    arch.positions = !p.isSet("no-positions");
    arch.causalMask = !p.isSet("no-causal-mask");
    arch.scale = !p.isSet("no-scale");
    arch.preNorm = p.isSet("pre-norm");
    Config c = train::architectureConfig(arch, vocab);
    std::vector<text::SentencePair> heldOutPairs;  // grammar tasks: scored at the end
    if (train::isTextTask(task)) {
        train::TextTaskRequest req;
        req.task = task, req.outDir = out, req.trainSize = trainSize, req.heldOutSize = evalN, req.vocab = vocab;
        req.anchorCopies = anchorCopies, req.seed = uint64_t(seed), req.resume = p.isSet("resume");
        req.lexiconPath = resourcePath(train::textTaskLexicon(task));
        if (req.lexiconPath.empty())  // the error names it
            req.lexiconPath = std::string(STEPFORMER_RESOURCE_DIR) + "/" + train::textTaskLexicon(task);
        auto data = train::prepareTextTask(req, c);
        if (!data) return fail(data.message());
        examples = std::move(data->train);
        std::printf("%s: %zu training pairs (%zu of them the example sentences' copies), SentencePiece vocabulary %d (%s)\n",
                    task.c_str(), examples.size(), data->anchorPairs, c.vocabSize, data->spmModel.c_str());
        heldOutPairs = std::move(data->heldOutText);
    } else {
        examples = algorithmicExamples(task, size_t(trainSize), vocab, uint64_t(seed));
        std::printf("%s: %zu training sequences, ids 4..%d\n", task.c_str(), examples.size(), vocab - 1);
    }

    train::TrainOptions o;
    o.steps = steps;
    o.batchSize = batch;
    o.warmup = warmup;
    o.lrScale = lrScale;
    o.dropout = dropout;
    o.clipNorm = clip;
    o.seed = uint64_t(seed);
    o.logEvery = 20;
    o.outDir = out;
    o.saveEvery = saveEvery;
    auto trainer = p.isSet("resume") ? train::Trainer::resume(out, o) : train::Trainer::create(c, o);
    if (!trainer) return fail(trainer.message());
    Status st = trainer->setData(std::move(examples));
    if (!st) return fail(st.message());
    std::printf("model: %s, %d steps of %d sentences, warmup %d, dropout %.2f, label smoothing %.2f\n",
                trainer->config().describe().c_str(), steps, batch, warmup, double(dropout), double(o.labelSmoothing));
    const bool tty = ::isatty(STDOUT_FILENO);
    double finalLoss = 0.0;
    st = trainer->run([&](const train::TrainProgress& pr) {
        finalLoss = pr.loss;
        const double perStep = pr.elapsedSeconds / std::max(1, pr.step - (trainer->stepCount() - pr.step));
        const double eta = perStep * (pr.totalSteps - pr.step);
        std::printf("%sstep %6d/%d  loss %.4f  nll %.4f  %7.0f tok/s  lr %.2e  elapsed %s  ETA %s%s", tty ? "\r" : "",
                    pr.step, pr.totalSteps, pr.loss, pr.nll, pr.targetTokensPerSecond, pr.learningRate,
                    formatDuration(pr.elapsedSeconds).c_str(), formatDuration(eta).c_str(), tty ? "" : "\n");
        std::fflush(stdout);
        return true;
    });
    if (tty) std::printf("\n");
    if (!st) return fail(st.message());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("trained %d steps in %s; checkpoint in %s\n", trainer->stepCount(), formatDuration(seconds).c_str(),
                out.c_str());

    // Held-out, free-running: what the model says on its own.
    double exactMatch = -1.0;
    if (evalN > 0) {
        auto model = Model::load(out);
        if (!model) return fail(model.message());
        if (!heldOutPairs.empty()) {  // a grammar task: the text must match
            int exact = 0;
            for (const text::SentencePair& pair : heldOutPairs) {
                Session session(*model);
                if (Status e = session.setSourceText(pair.source); !e) return fail(e.message());
                DecodeOptions greedy;
                greedy.capture = false;
                auto t = session.translate(greedy);
                if (!t) return fail(t.message());
                exact += t->outputText == pair.target;
            }
            exactMatch = heldOutPairs.empty() ? 0.0 : double(exact) / double(heldOutPairs.size());
        } else if (train::isAlgorithmicTask(task)) {
            auto score = train::scoreFreeRunning(*model, train::heldOutExamples(task, size_t(evalN), vocab, uint64_t(seed)));
            if (!score) return fail(score.message());
            exactMatch = score->exactMatch;
        }
        if (exactMatch >= 0)
            std::printf("held-out exact match (free-running, %d examples): %.2f%%\n", evalN, 100 * exactMatch);
        else
            std::printf("held-out figures for %s: stepformer eval --model %s --task %s\n", task.c_str(), out.c_str(),
                        task.c_str());
    }
    if (p.isSet("json"))
        std::printf("{\"task\": \"%s\", \"exact_match\": %s, \"final_loss\": %.6f, \"steps\": %d, \"seconds\": %.3f, "
                    "\"config\": \"%s\"}\n",
                    task.c_str(), exactMatch < 0 ? "null" : std::to_string(exactMatch).c_str(), finalLoss,
                    trainer->stepCount(), seconds, trainer->config().describe().c_str());
    return Ok;
}

int eval(const QStringList& args)
{
    QCommandLineParser p;
    p.addOption({"model", "A bundled model's name (en-fr, fr-en, ...) or a model directory (default: en-fr).", "NAME|DIR"});
    p.addOption({"task", QString::fromStdString(taskList()) + ".", "TASK", "en-fr"});
    p.addOption({"n", "Held-out examples.", "N", "1000"});
    p.addOption({"seed", "Seed of the held-out draw.", "N", "12345"});
    p.addOption({"json", "End with one JSON line."});
    p.addOption({"show", "Print the first N translations.", "N", "5"});
    if (const int code = parseArgs(p, "eval", args); code >= 0) return code;
    const std::string task = p.value("task").toStdString();
    if (!knownTask(task)) return fail("--task is " + taskList(), Usage);
    int n, seed, show;
    if (!intOption(p, "n", 1, 1000000, &n) || !intOption(p, "seed", 0, 1 << 30, &seed) ||
        !intOption(p, "show", 0, 1000000, &show))
        return Usage;
    const std::string dir = modelDirOption(p);
    if (dir.empty()) return BadInput;
    auto model = Model::load(dir);
    if (!model) return fail(model.message());
    const Config& c = (*model)->config();

    int exact = 0;
    std::vector<std::string> hyps, refs;
    // Cross-attention alignment: per (layer, head), target words whose highest-weight
    // source piece belongs to a gold-aligned English word. Teacher-forced on the gold
    // French so that every target word has its row; the row that predicts a word's
    // first piece is its row.
    AlignmentHits alignment;  // core/run/lab.h
    // Grammar tasks: teacher-forced token accuracy on the same pass (as in training, with the
    // model's own mask setting): rows whose argmax is the reference's next piece.
    long forcedTokens = 0, forcedCorrect = 0;
    if (text::isZhTask(task)) {
        EvalTally tally;
        if (const int code = zhEvaluate(task, *model, n, seed, show, tally); code != Ok) return code;
        exact = tally.exact, hyps = tally.hyps, refs = tally.refs;
        alignment.hits = tally.hits, alignment.words = tally.words;
    } else if (const text::GrammarTask* gt = text::findGrammarTask(task)) {
        const text::Tokenizer* tok = (*model)->tokenizer();
        if (!tok) return fail(dir + ": this model has no tokenizer; " + task + " needs one");
        auto grammar = loadGrammar(*gt);
        if (!grammar) return fail(grammar.message());
        auto split = (*grammar)->split(0, size_t(n), uint64_t(seed));
        if (!split) return fail(split.message());
        for (const text::SentencePair& pair : split->test) {
            Session s(*model);
            Status st = s.setSourceText(pair.source);
            if (!st) return fail(st.message());
            DecodeOptions o;
            o.capture = false;
            auto t = s.translate(o);
            if (!t) return fail(t.message());
            exact += t->outputText == pair.target;
            hyps.push_back(t->outputText);
            refs.push_back(pair.target);
            if (int(hyps.size()) <= show)
                std::printf("  %s\n  -> %s%s\n", pair.source.c_str(), t->outputText.c_str(),
                            t->outputText == pair.target ? "" : ("   (reference: " + pair.target + ")").c_str());

            const text::Encoded src = tok->encodeSource(pair.source), tgt = tok->encodeTarget(pair.target);
            DecodeOptions fo;
            fo.strategy = Forced{tgt.ids};
            auto forcedRun = s.translate(fo);
            if (!forcedRun) return fail(forcedRun.message());
            for (size_t i = 0; i < tgt.ids.size() && i < forcedRun->outputIds.size(); ++i)
                forcedCorrect += forcedRun->outputIds[i] == tgt.ids[i];
            forcedTokens += long(tgt.ids.size());
            addAlignmentHits(alignment, *forcedRun, c, src, wordOfPieces(pair.source, src),
                             wordOfPieces(pair.target, tgt), pair.alignment);
        }
    } else {
        const std::vector<train::Example> ex =
            algorithmicExamples(task, size_t(n), c.vocabSize, uint64_t(seed) * 7919 + 17);
        for (const train::Example& e : ex) {
            Session s(*model);
            Status st = s.setSourceIds(e.src);
            if (!st) return fail(st.message());
            DecodeOptions o;
            o.capture = false;
            auto t = s.translate(o);
            if (!t) return fail(t.message());
            exact += t->outputIds == e.tgt;
            auto join = [](const std::vector<int>& v) {
                std::string joined;
                for (int x : v) joined += (joined.empty() ? "" : " ") + std::to_string(x);
                return joined;
            };
            hyps.push_back(join(t->outputIds));
            refs.push_back(join(e.tgt));
        }
    }
    const double em = double(exact) / double(std::max<size_t>(1, hyps.size()));
    const double bleu = text::corpusBleu(hyps, refs);
    std::printf("%s on %zu held-out examples: exact match %.2f%%, BLEU %.2f\n", task.c_str(), hyps.size(), 100 * em, bleu);
    const double tokenAccuracy = forcedTokens > 0 ? double(forcedCorrect) / double(forcedTokens) : 0.0;
    if (forcedTokens > 0)
        std::printf("teacher-forced token accuracy %.2f%% (%ld of %ld pieces, %s decoder)\n", 100 * tokenAccuracy,
                    forcedCorrect, forcedTokens, c.decoderCausalMask ? "masked" : "unmasked");
    std::string headsJson;
    const long words = alignment.words;
    const std::vector<long>& hits = alignment.hits;
    if (words > 0) {
        std::vector<int> order(hits.size());
        for (size_t i = 0; i < order.size(); ++i) order[i] = int(i);
        std::sort(order.begin(), order.end(), [&](int a, int b) { return hits[size_t(a)] > hits[size_t(b)]; });
        std::printf("cross-attention heads: share of %ld target words whose highest-weight source piece is gold-aligned\n",
                    words);
        for (int i : order) {
            const int l = i / c.decoderHeads, h = i % c.decoderHeads;
            const double share = double(hits[size_t(i)]) / double(words);
            std::printf("  decoder layer %d head %d: %.1f%%\n", l + 1, h + 1, 100 * share);
            char b[96];
            std::snprintf(b, sizeof b, "%s{\"layer\": %d, \"head\": %d, \"share\": %.4f}", headsJson.empty() ? "" : ", ",
                          l + 1, h + 1, share);
            headsJson += b;
        }
    }
    if (p.isSet("json")) {
        const std::string accuracy = forcedTokens > 0 ? ", \"token_accuracy\": " + std::to_string(tokenAccuracy) : "";
        std::printf("{\"task\": \"%s\", \"n\": %zu, \"exact_match\": %.6f, \"bleu\": %.4f%s, \"alignment_heads\": [%s]}\n",
                    task.c_str(), hyps.size(), em, bleu, accuracy.c_str(), headsJson.c_str());
    }
    return Ok;
}

int benchTrain(const QStringList& args)
{
    QCommandLineParser p;
    p.addOption({"steps", "Timed steps (after 3 warm-up steps).", "N", "30"});
    p.addOption({"json", "End with one JSON line."});
    if (const int code = parseArgs(p, "bench", args); code >= 0) return code;
    int steps = 30;
    if (!intOption(p, "steps", 1, 100000, &steps)) return Usage;
    // The peer's setting: d 128, 4 heads, ffn 512, 3+3 layers, vocab 1000, batch 32 x 20,
    // reverse, Adam, no dropout.
    Config c;
    c.dModel = 128, c.encoderLayers = c.decoderLayers = 3, c.encoderHeads = c.decoderHeads = 4;
    c.encoderFfn = c.decoderFfn = 512, c.vocabSize = 1000, c.maxPositions = 64;
    train::TrainOptions o;
    o.steps = steps + 3, o.batchSize = 32, o.dropout = 0.0f, o.logEvery = 0, o.warmup = 4000;
    auto trainer = train::Trainer::create(c, o);
    if (!trainer) return fail(trainer.message());
    auto pairs = text::algorithmicTask("reverse", 32, 19, 19, 4, 999, 7);
    if (!pairs) return fail(pairs.message());
    std::vector<train::Example> ex;
    for (auto& [s, t] : *pairs) {
        train::Example e{s, t};
        e.src.push_back(3), e.tgt.push_back(3);  // 20 tokens each, </s> included
        ex.push_back(std::move(e));
    }
    Status st = trainer->setData(ex);
    if (!st) return fail(st.message());
    for (int i = 0; i < 3; ++i) trainer->step();
    long tokens = 0;
    const auto a = std::chrono::steady_clock::now();
    double loss = 0;
    for (int i = 0; i < steps; ++i) {
        const train::StepStats s = trainer->step();
        tokens += s.targetTokens;
        loss = s.loss;
    }
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
    const double ms = 1000 * sec / steps;
    const double tps = double(tokens) / sec;
    // The peer counts 19 predicted tokens per sequence (its targets have no </s>).
    const double peer = 32.0 * 19 / (sec / steps);
    std::printf("stepformer train: d 128, 3+3 layers, vocab 1000, batch 32 x 20, reverse, Adam: step %.1f ms -> "
                "%.0f target tok/s (%.0f counting 19 per sequence as the PyTorch peer does), loss %.3f\n",
                ms, tps, peer, loss);
    if (p.isSet("json"))
        std::printf("{\"step_ms\": %.3f, \"target_tokens_per_s\": %.1f, \"target_tokens_per_s_peer_count\": %.1f}\n", ms,
                    tps, peer);
    return Ok;
}

}  // namespace sf::cli
