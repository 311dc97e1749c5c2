// The grammar of a task, loaded from its lexicon under resources/ (shared by train, eval,
// grammar and the translate warnings).
#pragma once

#include "app/cli.h"
#include "core/text/grammar.h"

#include <memory>
#include <string>

namespace sf::cli {

inline Result<std::shared_ptr<const text::Grammar>> loadGrammar(const text::GrammarTask& task)
{
    std::string path = resourcePath(task.lexicon);
    if (path.empty()) path = std::string(STEPFORMER_RESOURCE_DIR) + "/" + task.lexicon;  // the error names it
    return task.load(path);
}

// The grammar a model directory was trained on (its examples.json names the task), or
// nullptr when it has none; `why` tells a malformed examples.json or lexicon.
std::shared_ptr<const text::Grammar> modelGrammar(const std::string& modelDir, std::string* why = nullptr);

}  // namespace sf::cli
