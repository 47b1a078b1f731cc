#pragma once
// Test support: materialises the bad-input corpus of tests/data/bad (README.md there holds the
// table of cases) into a temporary dataset folder whose path holds a space and unicode:
//   <tmp>/bad data ü/nsynth-test/examples.json   (copy of tests/data/bad/json/entries.json)
//   <tmp>/bad data ü/nsynth-test/audio/*.wav      (written here: each audio case in its bad shape)
// The WAVs are generated, not checked in (the 10-minute one alone is 19 MB).
#include "support/TempDir.h"
#include "support/WavWriter.h"

#include <filesystem>
#include <string>
#include <vector>

namespace morph::test {

inline const std::filesystem::path kBadCorpusDir = std::filesystem::path(MORPH_TEST_DATA_DIR) / "bad";

/// One audio case of the corpus: the WAV written for a note with valid metadata.
struct AudioCase {
    std::string note;        // note_str (key in entries.json)
    bool loads;              // true: accepted (maybe converted); false: refused with AudioFileError
    std::string message;     // substring of the adjustment (accepted) or of the error (refused)
};

/// The audio cases, in the order of the README table (audio_missing_010 and audio_directory_023,
/// a folder named .wav, are skipped when the index is built: "audio file missing").
inline const std::vector<AudioCase>& audioCases()
{
    static const std::vector<AudioCase> cases = {
        {"audio_empty_011-060-100", false, "the file is empty (0 bytes)"},
        {"audio_truncated_012-060-100", false, "truncated: the header announces 64000 frames but the file holds 32000"},
        {"audio_notwav_013-060-100", false, "not a readable audio file"},
        {"audio_headeronly_014-060-100", false, "holds no audio frames"},
        {"audio_pcm8_015-060-100", true, ""},
        {"audio_pcm24_016-060-100", true, ""},
        {"audio_float_017-060-100", true, ""},
        {"audio_floatnan_018-060-100", false, "holds NaN or infinite samples"},
        {"audio_rate44k_019-060-100", true, "resampled 44100->16000"},
        {"audio_stereo_020-060-100", true, "mixed 2 channels to mono"},
        {"audio_short_021-060-100", true, "padded 16000->64000 samples with silence"},
        {"audio_long_022-060-100", true, "trimmed 9600000->64000 samples"},
        {"audio_meta44k_024-060-100", true, "resampled 44100->16000"},
    };
    return cases;
}

/// Notes with valid metadata and a plain 16-bit 16 kHz mono 4-second WAV.
inline const std::vector<std::string>& goodNotes()
{
    static const std::vector<std::string> notes = {"good_keyboard_000-060-100", "good_keyboard_000-062-100",
                                                   "good_string_001-060-100", "unicode_güitar_002-060-100",
                                                   "spaced name_003-060-100"};
    return notes;
}

/// Keys of entries with bad metadata (they also get a good WAV, so only the metadata is wrong).
inline const std::vector<std::string>& badMetadataKeys()
{
    static const std::vector<std::string> keys = {
        "bad_pitch_type_030-060-100", "bad_pitch_range_031-200-100", "bad_velocity_range_032-060-128",
        "bad_family_033-060-100",     "bad_missing_field_034-060-100", "bad_float_int_035-060-100",
        "other_name_036-060-100",     "bad_key_mismatch_036-060-100",  "bad_sample_rate_037-060-100",
        "bad_qualities_038-060-100",  "bad_not_object_039-060-100",    "bad_family_str_040-060-100",
        "bad_null_042-060-100",       "bad_negative_043-060-100",      "bad_utf8_\xff_041-060-100"};
    return keys;
}

struct BadCorpus {
    TempDir tmp{"morph_bad_corpus"};
    std::filesystem::path root;   // "<tmp>/bad data ü"
    std::filesystem::path split;  // root / "nsynth-test"

    BadCorpus()
    {
        root = tmp.path / "bad data \xc3\xbc";
        split = root / "nsynth-test";
        std::filesystem::create_directories(split / "audio");
        std::filesystem::copy_file(kBadCorpusDir / "json" / "entries.json", split / "examples.json");
        const auto audio = split / "audio";
        for (const auto& n : goodNotes())
            writeWav(audio / (n + ".wav"), {});
        for (const auto& n : badMetadataKeys())
            writeWav(audio / (n + ".wav"), {});
        auto wav = [&](const std::string& note) { return audio / (note + ".wav"); };
        writeBytes(wav("audio_empty_011-060-100"), "");
        {
            std::string b = wavBytes({});
            b.resize(44 + 32000 * 2);  // half of the announced 64000 frames
            writeBytes(wav("audio_truncated_012-060-100"), b);
        }
        writeBytes(wav("audio_notwav_013-060-100"), "this is a text file renamed to .wav, not audio\n");
        writeWav(wav("audio_headeronly_014-060-100"), {WavFormat::Pcm16, 16000, 1, 0});
        writeWav(wav("audio_pcm8_015-060-100"), {WavFormat::Pcm8, 16000, 1, 64000});
        writeWav(wav("audio_pcm24_016-060-100"), {WavFormat::Pcm24, 16000, 1, 64000});
        writeWav(wav("audio_float_017-060-100"), {WavFormat::Float32, 16000, 1, 64000});
        writeWav(wav("audio_floatnan_018-060-100"), {WavFormat::Float32, 16000, 1, 64000},
                 [](std::uint64_t i, int c) { return i == 12345 ? std::nanf("") : testTone(i, c, 16000); });
        writeWav(wav("audio_rate44k_019-060-100"), {WavFormat::Pcm16, 44100, 1, 176400});
        writeWav(wav("audio_stereo_020-060-100"), {WavFormat::Pcm16, 16000, 2, 64000});
        writeWav(wav("audio_short_021-060-100"), {WavFormat::Pcm16, 16000, 1, 16000});
        writeWav(wav("audio_long_022-060-100"), {WavFormat::Pcm16, 16000, 1, 16000ull * 600});  // 10 minutes
        std::filesystem::create_directories(wav("audio_directory_023-060-100"));
        writeWav(wav("audio_meta44k_024-060-100"), {WavFormat::Pcm16, 44100, 1, 176400});
        // audio_missing_010-060-100 has no WAV at all.
    }
};

} // namespace morph::test
