#pragma once
// ModelConfig <-> nlohmann::json for checkpoint metadata and run folders. Internal to
// core/model and core/train (no torch, but keeps nlohmann out of the public facades).
// Thread contract: free functions, any thread.
#include "model/ModelConfig.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>

namespace morph {

/// {"arch":"double","channels":[16,32,32,32],"input_bins":513,"slice_width":3,"embedding":124,
///  "position_bias":false} (position_bias optional on reading: absent = false)
nlohmann::json modelSection(const ModelConfig& config);
/// {"sample_rate":16000,"n_fft":1024,"hop":512,"window":"hann","center":true,
///  "scale":"log-mag"|"mel","mel_bands":128,"amin":1e-5,"top_db":80,"ref":"note max magnitude"}
nlohmann::json preprocessingSection(const ModelConfig& config);
/// Reads meta["model"] and meta["preprocessing"]; throws CheckpointError naming `context` and the
/// missing/invalid field; verifies the recorded embedding size against the arithmetic.
ModelConfig modelConfigFromMeta(const nlohmann::json& meta, const std::string& context);

/// `j` as a T when it holds exactly that: an integer in T's range, a finite number, a string or a
/// boolean; else nullopt. (nlohmann's get<int>() truncates 3.5 to 3, turns -1 into 2^64-1 for
/// unsigned types and is undefined behaviour for 1e300: files from users need this check.)
template <typename T>
std::optional<T> exactValue(const nlohmann::json& j)
{
    if constexpr (std::is_same_v<T, bool>) {
        return j.is_boolean() ? std::optional<T>(j.get<bool>()) : std::nullopt;
    } else if constexpr (std::is_same_v<T, std::string>) {
        return j.is_string() ? std::optional<T>(j.get<std::string>()) : std::nullopt;
    } else if constexpr (std::is_integral_v<T>) {
        if (j.is_number_unsigned()) {
            const auto v = j.get<std::uint64_t>();
            if (v <= static_cast<std::uint64_t>(std::numeric_limits<T>::max()))
                return static_cast<T>(v);
        } else if (j.is_number_integer()) {
            const auto v = j.get<std::int64_t>();
            const bool fits = v < 0 ? std::is_signed_v<T> && v >= static_cast<std::int64_t>(std::numeric_limits<T>::min())
                                    : static_cast<std::uint64_t>(v) <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
            if (fits)
                return static_cast<T>(v);
        }
        return std::nullopt;
    } else {
        static_assert(std::is_floating_point_v<T>, "exactValue: bool, string, integer or floating point");
        if (!j.is_number())
            return std::nullopt;
        const double v = j.get<double>();
        return std::isfinite(v) ? std::optional<T>(static_cast<T>(v)) : std::nullopt;
    }
}

/// obj[key] read with exactValue(); throws Error("<where>: field 'key' ...") when it is missing,
/// of another type or out of range.
template <typename T, typename Error>
T requiredField(const nlohmann::json& obj, const char* key, const std::string& where)
{
    if (!obj.is_object())
        throw Error(where + " is not a JSON object");
    const auto it = obj.find(key);
    if (it == obj.end())
        throw Error(where + ": field '" + key + "' is missing");
    if (auto v = exactValue<T>(*it))
        return *v;
    throw Error(where + ": field '" + key + "' has the wrong type or is out of range (" + it->dump().substr(0, 40) + ")");
}

/// As requiredField(), but an absent field reads as `fallback` (a present, wrong one still throws).
template <typename T, typename Error>
T optionalField(const nlohmann::json& obj, const char* key, T fallback, const std::string& where)
{
    if (obj.is_object() && obj.find(key) == obj.end())
        return fallback;
    return requiredField<T, Error>(obj, key, where);
}

} // namespace morph
