#pragma once
// Typed errors of the core. Every message names what failed and where (file, note, field),
// and, when there is one, what the user can do about it. Thread contract: plain value types,
// safe to throw from and catch on any thread.
#include <stdexcept>
#include <string>

namespace morph {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A dataset folder or examples.json that cannot be used (malformed JSON, missing folder).
class DatasetError : public Error { public: using Error::Error; };
/// An audio file that cannot be read (missing, truncated, corrupt, empty).
class AudioFileError : public Error { public: using Error::Error; };
/// A checkpoint that cannot be loaded (truncated, other architecture, other pre-processing).
class CheckpointError : public Error { public: using Error::Error; };
/// Writing or reading a file failed (disk full, permissions); the previous file is kept.
class IoError : public Error { public: using Error::Error; };
/// Invalid arguments or configuration given by the user.
class ConfigError : public Error { public: using Error::Error; };
/// No audio output device could be opened.
class AudioDeviceError : public Error { public: using Error::Error; };
/// Training diverged (NaN/Inf loss).
class TrainingError : public Error { public: using Error::Error; };
/// Work stopped because its cancel token was set.
class CancelledError : public Error { public: using Error::Error; };

} // namespace morph
