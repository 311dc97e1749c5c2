// Errors are values: a Result<T> holds either a T or a message that names the file
// and the problem ("model.safetensors: tensor 'x' ends past the end of the file").
// Library code never throws across its API and never exits.
//
// The message is English (the command line prints it). Where the problem is of a kind a
// person can be told about in their language, the error also carries it as a fact
// (`reason`: a key of resources/texts/<lang>/errors.json with named arguments, the file
// among them); the window renders that and shows the English message only otherwise.
#pragma once

#include "core/text/text.h"

#include <optional>
#include <string>
#include <utility>

namespace sf {

struct Error {
    std::string message;  // English: names the file and the problem
    Text reason;          // the same as a fact for the window; empty when of no known kind
};

inline Error error(std::string message) { return Error{std::move(message), {}}; }
inline Error error(std::string message, Text reason) { return Error{std::move(message), std::move(reason)}; }

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : mValue(std::move(value)) {}
    Result(Error e) : mError(std::move(e.message)), mReason(std::move(e.reason)) {}

    bool ok() const { return mValue.has_value(); }
    explicit operator bool() const { return ok(); }
    T& value() & { return *mValue; }
    const T& value() const& { return *mValue; }
    T&& value() && { return std::move(*mValue); }
    T* operator->() { return &*mValue; }
    const T* operator->() const { return &*mValue; }
    T& operator*() { return *mValue; }
    const T& operator*() const { return *mValue; }
    const std::string& message() const { return mError; }
    const Text& reason() const { return mReason; }
    // The error again, to hand on: `if (!r) return r.error();` keeps the reason.
    Error error() const { return Error{mError, mReason}; }

private:
    std::optional<T> mValue;
    std::string mError;
    Text mReason;
};

// A Result with no value: ok, or an error message.
class [[nodiscard]] Status {
public:
    Status() = default;
    Status(Error e) : mError(std::move(e.message)), mReason(std::move(e.reason)), mOk(false) {}
    static Status success() { return Status(); }
    bool ok() const { return mOk; }
    explicit operator bool() const { return mOk; }
    const std::string& message() const { return mError; }
    const Text& reason() const { return mReason; }
    Error error() const { return Error{mError, mReason}; }

private:
    std::string mError;
    Text mReason;
    bool mOk = true;
};

}  // namespace sf
