#include "core/io/json.h"

#include "core/quote.h"

#include <unordered_set>
#include <vector>

namespace sf::io {

std::string parseJsonStrict(const std::string& text, nlohmann::json* out)
{
    using json = nlohmann::json;
    std::string problem;
    std::vector<std::unordered_set<std::string>> keys;  // per open object
    const json::parser_callback_t check = [&](int depth, json::parse_event_t event, json& parsed) {
        if (!problem.empty()) return false;
        switch (event) {
        case json::parse_event_t::object_start:
        case json::parse_event_t::array_start:
            if (depth >= kMaxJsonNesting) {
                problem = "nested deeper than " + std::to_string(kMaxJsonNesting) + " levels";
                return false;
            }
            if (event == json::parse_event_t::object_start) keys.emplace_back();
            return true;
        case json::parse_event_t::object_end:
            if (!keys.empty()) keys.pop_back();
            return true;
        case json::parse_event_t::key:
            if (!keys.empty() && !keys.back().insert(parsed.get<std::string>()).second) {
                problem = "duplicate key " + quoteText(parsed.get<std::string>());
                return false;
            }
            return true;
        default:
            return true;
        }
    };
    try {
        json j = json::parse(text, check);
        if (!problem.empty()) return problem;
        *out = std::move(j);
        return {};
    } catch (const std::exception& e) {
        if (!problem.empty()) return problem;
        return "not valid JSON (" + clipped(e.what(), 2 * kMaxQuoted) + ")";
    }
}

}  // namespace sf::io
