// Reading an options object that the TypeScript layer built (caption, score and load options):
// typed reads by key, and every key the object has must be read, so a key the C++ side does not
// know is an error rather than silently ignored. Messages have the TypeScript invalidArg() form
// (lib/inputs/arg-checks.ts): `Expected integer between 0 and 9007199254740991 for seed but
// received "x" of type string`, code E_INVALID_ARG.
#pragma once

#include <napi.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gitcap_addon {

// Throws E_INVALID_ARG: "Expected <expected> for <name> but received <what value is>".
[[noreturn]] void ThrowInvalidArg(const Napi::Value & value, const std::string & name, const std::string & expected);

// An object argument of a call (E_INVALID_ARG when it is missing or not an object).
Napi::Object ObjectArg(const Napi::CallbackInfo & info, size_t index, const char * name);
// A function argument of a call.
Napi::Function FunctionArg(const Napi::CallbackInfo & info, size_t index, const char * name);

class OptionsReader {
public:
    // `kind` names the object in the message for an unknown key, e.g. "caption option".
    OptionsReader(const Napi::Object & object, std::string kind);

    // Reads `key` into `field` when the object has it (undefined and null leave the field as it is).
    void read(const char * key, int & field);
    void read(const char * key, uint64_t & field); // 0 to 2^53 - 1
    void read(const char * key, float & field);
    void read(const char * key, double & field);
    void read(const char * key, bool & field);
    void read(const char * key, std::string & field);
    void read(const char * key, std::optional<std::string> & field);
    void read(const char * key, std::vector<std::string> & field);
    void read(const char * key, std::optional<std::vector<int32_t>> & field);
    bool has(const char * key) const;

    // Throws for the first key of the object that no read() asked for.
    void check_all_read() const;

private:
    // The value of `key`, marked as read; empty when absent, undefined or null.
    std::optional<Napi::Value> take(const char * key);

    Napi::Object object_;
    std::string kind_;
    std::vector<std::string> keys_;
    std::vector<bool> read_;
};

} // namespace gitcap_addon
