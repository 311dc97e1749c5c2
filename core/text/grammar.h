// The toy grammars behind the bundled translation models, behind one interface, and the
// table that names them by task ("en-fr", "fr-en", ...). `stepformer train|eval|grammar
// --task T`, the translate warnings and the window find a grammar here; a new grammar is
// one row of grammarTasks() (core/text/grammar.cpp).
#pragma once

#include "core/result.h"
#include "core/text/corpus.h"

#include <memory>
#include <string>
#include <vector>

namespace sf::text {

// A generator of sentence pairs with gold alignments, and a parser of its source side.
class Grammar {
public:
    virtual ~Grammar() = default;
    // Distinct pairs from `seed`, train and test sides disjoint (see EnFrGrammar::split);
    // anchors are never on the test side.
    virtual Result<CorpusSplit> split(size_t trainSize, size_t testSize, uint64_t seed) const = 0;
    // The reference translation(s) of a source sentence of the grammar, first the one the
    // training data uses; an error naming the word when the grammar cannot produce it.
    virtual Result<std::vector<SentencePair>> translations(const std::string& source) const = 0;
    // The example sentences a model of this grammar must translate (always trained on).
    virtual std::vector<SentencePair> anchors() const = 0;
};

struct GrammarTask {
    const char* task;     // "en-fr"
    const char* lexicon;  // under resources/: "lexicon/en-fr.json"
    Result<std::shared_ptr<const Grammar>> (*load)(const std::string& lexiconPath);
};

// Every task with a grammar, in the order the CLI lists them.
const std::vector<GrammarTask>& grammarTasks();
// The row of `task`, or nullptr.
const GrammarTask* findGrammarTask(const std::string& task);
// "en-fr, fr-en, ..." for messages.
std::string grammarTaskList();

// A model directory's examples.json: {"task": "en-fr", "examples": ["i am a student", ...]},
// written by `stepformer train` for a grammar task. The task names the grammar the model
// was trained on (the window's and translate's out-of-grammar warning uses it); the
// examples are its anchors, offered one click away in the window's Model menu.
struct ModelExamples {
    std::string task;                    // empty: no examples.json
    std::vector<std::string> sentences;
};
inline constexpr const char* kExamplesFile = "examples.json";
// An absent file gives an empty ModelExamples; a malformed one an error naming it.
Result<ModelExamples> readModelExamples(const std::string& modelDir);
Status writeModelExamples(const std::string& modelDir, const ModelExamples& examples);

// A warning about a source sentence, before the walk: a kind and its arguments, so the
// window can word it through its Text tables (resources/texts) and the CLI in English.
struct InputWarning {
    enum class Kind {
        UnknownWords,   // args: the words with <unk> pieces
        OutsideGrammar  // args: the grammar task ("en-fr"), the grammar's reason
    };
    Kind kind;
    std::vector<std::string> args;
};

class Tokenizer;
// UnknownWords when a word of `source` encodes to the tokenizer's unk id; OutsideGrammar
// when `grammar` (the model's, may be null) cannot produce the sentence.
std::vector<InputWarning> inputWarnings(const Tokenizer* tokenizer, const Grammar* grammar,
                                        const std::string& grammarTask, const std::string& source);
// The English wording: "words the model's vocabulary lacks: 'zyx'" / "this model never
// saw sentences like this; expect a wrong translation (en-fr grammar: ...)".
std::string describe(const InputWarning& warning);

}  // namespace sf::text
