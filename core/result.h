// Errors are values: a Result<T> holds either a T or a message that names the file
// and the problem ("model.safetensors: tensor 'x' ends past the end of the file").
// Library code never throws across its API and never exits.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace sf {

struct Error {
    std::string message;
};

inline Error error(std::string message) { return Error{std::move(message)}; }

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : mValue(std::move(value)) {}
    Result(Error e) : mError(std::move(e.message)) {}

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

private:
    std::optional<T> mValue;
    std::string mError;
};

// A Result with no value: ok, or an error message.
class [[nodiscard]] Status {
public:
    Status() = default;
    Status(Error e) : mError(std::move(e.message)), mOk(false) {}
    static Status success() { return Status(); }
    bool ok() const { return mOk; }
    explicit operator bool() const { return mOk; }
    const std::string& message() const { return mError; }

private:
    std::string mError;
    bool mOk = true;
};

}  // namespace sf
