#include "render/GmPrograms.h"

#include "dataset/NSynthDataset.h"
#include "util/Errors.h"

#include <cstdio>

namespace morph::render {
namespace {

// NSynth families and sources (METHOD.md section 1).
enum Family { Bass, Brass, Flute, Guitar, Keyboard, Mallet, Organ, Reed, String, SynthLead, Vocal };
enum Source { Acoustic, Electronic, Synthetic };

// GM program -> NSynth family / source, by GM program group, with these decisions:
//  - Piano 0-7 -> keyboard. Acoustic for acoustic pianos (0, 1, 3) and harpsichord (6);
//    electronic for electric grand (2), electric pianos (4, 5) and clavinet (7).
//  - Chromatic percussion 8-15 -> mallet acoustic (celesta, glockenspiel, music box, vibraphone,
//    marimba, xylophone, tubular bells, dulcimer).
//  - Organ 16-23 -> organ. Drawbar/percussive/rock organs (16-18) are tonewheel organs:
//    electronic. Church and reed organs, accordions: acoustic. Harmonica (22) is a free-reed
//    wind instrument: reed acoustic.
//  - Guitar 24-31 -> guitar; nylon/steel (24, 25) acoustic, electric guitars (26-31) electronic.
//  - Bass 32-39 -> bass; acoustic (32), electric (33-37) electronic, synth bass (38, 39) synthetic.
//  - Strings 40-46 -> string acoustic. Timpani (47) is a pitched drum played with mallets:
//    mallet acoustic.
//  - Ensemble 48-55: string ensembles (48, 49) and orchestra hit (55, a sampled orchestral
//    stab) string acoustic; synth strings (50, 51) string synthetic; choir aahs / voice oohs
//    (52, 53) vocal acoustic; synth voice (54) vocal synthetic.
//  - Brass 56-63 -> brass; synth brass (62, 63) synthetic.
//  - Reed 64-71 -> reed acoustic. Pipe 72-79 -> flute acoustic.
//  - Synth lead 80-87 -> synth_lead synthetic.
//  - Synth pad 88-95 -> keyboard synthetic (NSynth files synthesizer patches played from a
//    keyboard as keyboard_synthetic; this also keeps synth_lead from swallowing a fifth of the
//    programs), except pad 4 "choir" (91) -> vocal synthetic.
//  - Synth effects 96-103 -> synth_lead synthetic.
//  - Ethnic 104-111: sitar, banjo, shamisen (plucked lutes) guitar acoustic; koto (zither) and
//    fiddle string acoustic; kalimba mallet acoustic; bagpipe and shanai reed acoustic.
//  - Percussive 112-119 -> mallet; synth drum (118) synthetic, the rest acoustic.
//  - Sound effects 120-127: skipped by default (not notes); when included, synth_lead synthetic.
// Pitch ranges are the usual ranges of the real instruments (MIDI note numbers, rounded
// generously); synthesizer programs get 24..96.
const GmProgramClass kPrograms[128] = {
    // Piano
    {"Acoustic Grand Piano", Keyboard, Acoustic, 21, 108, false},
    {"Bright Acoustic Piano", Keyboard, Acoustic, 21, 108, false},
    {"Electric Grand Piano", Keyboard, Electronic, 21, 108, false},
    {"Honky-tonk Piano", Keyboard, Acoustic, 21, 108, false},
    {"Electric Piano 1", Keyboard, Electronic, 28, 103, false},
    {"Electric Piano 2", Keyboard, Electronic, 28, 103, false},
    {"Harpsichord", Keyboard, Acoustic, 29, 89, false},
    {"Clavinet", Keyboard, Electronic, 29, 89, false},
    // Chromatic percussion
    {"Celesta", Mallet, Acoustic, 60, 108, false},
    {"Glockenspiel", Mallet, Acoustic, 72, 108, false},
    {"Music Box", Mallet, Acoustic, 60, 108, false},
    {"Vibraphone", Mallet, Acoustic, 53, 89, false},
    {"Marimba", Mallet, Acoustic, 45, 96, false},
    {"Xylophone", Mallet, Acoustic, 60, 108, false},
    {"Tubular Bells", Mallet, Acoustic, 55, 84, false},
    {"Dulcimer", Mallet, Acoustic, 48, 96, false},
    // Organ
    {"Drawbar Organ", Organ, Electronic, 24, 96, false},
    {"Percussive Organ", Organ, Electronic, 24, 96, false},
    {"Rock Organ", Organ, Electronic, 24, 96, false},
    {"Church Organ", Organ, Acoustic, 21, 108, false},
    {"Reed Organ", Organ, Acoustic, 36, 96, false},
    {"Accordion", Organ, Acoustic, 36, 89, false},
    {"Harmonica", Reed, Acoustic, 55, 88, false},
    {"Tango Accordion", Organ, Acoustic, 36, 89, false},
    // Guitar
    {"Acoustic Guitar (nylon)", Guitar, Acoustic, 40, 84, false},
    {"Acoustic Guitar (steel)", Guitar, Acoustic, 40, 84, false},
    {"Electric Guitar (jazz)", Guitar, Electronic, 40, 86, false},
    {"Electric Guitar (clean)", Guitar, Electronic, 40, 86, false},
    {"Electric Guitar (muted)", Guitar, Electronic, 40, 86, false},
    {"Overdriven Guitar", Guitar, Electronic, 40, 86, false},
    {"Distortion Guitar", Guitar, Electronic, 40, 86, false},
    {"Guitar Harmonics", Guitar, Electronic, 52, 96, false},
    // Bass
    {"Acoustic Bass", Bass, Acoustic, 28, 67, false},
    {"Electric Bass (finger)", Bass, Electronic, 28, 67, false},
    {"Electric Bass (pick)", Bass, Electronic, 28, 67, false},
    {"Fretless Bass", Bass, Electronic, 28, 67, false},
    {"Slap Bass 1", Bass, Electronic, 28, 67, false},
    {"Slap Bass 2", Bass, Electronic, 28, 67, false},
    {"Synth Bass 1", Bass, Synthetic, 24, 72, false},
    {"Synth Bass 2", Bass, Synthetic, 24, 72, false},
    // Strings
    {"Violin", String, Acoustic, 55, 103, false},
    {"Viola", String, Acoustic, 48, 91, false},
    {"Cello", String, Acoustic, 36, 76, false},
    {"Contrabass", String, Acoustic, 28, 67, false},
    {"Tremolo Strings", String, Acoustic, 28, 103, false},
    {"Pizzicato Strings", String, Acoustic, 28, 96, false},
    {"Orchestral Harp", String, Acoustic, 23, 103, false},
    {"Timpani", Mallet, Acoustic, 36, 60, false},
    // Ensemble
    {"String Ensemble 1", String, Acoustic, 28, 103, false},
    {"String Ensemble 2", String, Acoustic, 28, 103, false},
    {"Synth Strings 1", String, Synthetic, 28, 103, false},
    {"Synth Strings 2", String, Synthetic, 28, 103, false},
    {"Choir Aahs", Vocal, Acoustic, 40, 84, false},
    {"Voice Oohs", Vocal, Acoustic, 40, 84, false},
    {"Synth Voice", Vocal, Synthetic, 40, 84, false},
    {"Orchestra Hit", String, Acoustic, 36, 84, false},
    // Brass
    {"Trumpet", Brass, Acoustic, 52, 84, false},
    {"Trombone", Brass, Acoustic, 34, 72, false},
    {"Tuba", Brass, Acoustic, 28, 58, false},
    {"Muted Trumpet", Brass, Acoustic, 52, 82, false},
    {"French Horn", Brass, Acoustic, 34, 77, false},
    {"Brass Section", Brass, Acoustic, 34, 84, false},
    {"Synth Brass 1", Brass, Synthetic, 28, 96, false},
    {"Synth Brass 2", Brass, Synthetic, 28, 96, false},
    // Reed
    {"Soprano Sax", Reed, Acoustic, 56, 88, false},
    {"Alto Sax", Reed, Acoustic, 49, 81, false},
    {"Tenor Sax", Reed, Acoustic, 44, 76, false},
    {"Baritone Sax", Reed, Acoustic, 36, 69, false},
    {"Oboe", Reed, Acoustic, 58, 91, false},
    {"English Horn", Reed, Acoustic, 52, 81, false},
    {"Bassoon", Reed, Acoustic, 34, 75, false},
    {"Clarinet", Reed, Acoustic, 50, 91, false},
    // Pipe
    {"Piccolo", Flute, Acoustic, 74, 108, false},
    {"Flute", Flute, Acoustic, 60, 96, false},
    {"Recorder", Flute, Acoustic, 60, 96, false},
    {"Pan Flute", Flute, Acoustic, 55, 96, false},
    {"Blown Bottle", Flute, Acoustic, 55, 84, false},
    {"Shakuhachi", Flute, Acoustic, 55, 84, false},
    {"Whistle", Flute, Acoustic, 60, 96, false},
    {"Ocarina", Flute, Acoustic, 60, 84, false},
    // Synth lead
    {"Lead 1 (square)", SynthLead, Synthetic, 24, 96, false},
    {"Lead 2 (sawtooth)", SynthLead, Synthetic, 24, 96, false},
    {"Lead 3 (calliope)", SynthLead, Synthetic, 24, 96, false},
    {"Lead 4 (chiff)", SynthLead, Synthetic, 24, 96, false},
    {"Lead 5 (charang)", SynthLead, Synthetic, 24, 96, false},
    {"Lead 6 (voice)", SynthLead, Synthetic, 24, 96, false},
    {"Lead 7 (fifths)", SynthLead, Synthetic, 24, 96, false},
    {"Lead 8 (bass + lead)", SynthLead, Synthetic, 24, 96, false},
    // Synth pad
    {"Pad 1 (new age)", Keyboard, Synthetic, 24, 96, false},
    {"Pad 2 (warm)", Keyboard, Synthetic, 24, 96, false},
    {"Pad 3 (polysynth)", Keyboard, Synthetic, 24, 96, false},
    {"Pad 4 (choir)", Vocal, Synthetic, 36, 84, false},
    {"Pad 5 (bowed)", Keyboard, Synthetic, 24, 96, false},
    {"Pad 6 (metallic)", Keyboard, Synthetic, 24, 96, false},
    {"Pad 7 (halo)", Keyboard, Synthetic, 24, 96, false},
    {"Pad 8 (sweep)", Keyboard, Synthetic, 24, 96, false},
    // Synth effects
    {"FX 1 (rain)", SynthLead, Synthetic, 24, 96, false},
    {"FX 2 (soundtrack)", SynthLead, Synthetic, 24, 96, false},
    {"FX 3 (crystal)", SynthLead, Synthetic, 24, 96, false},
    {"FX 4 (atmosphere)", SynthLead, Synthetic, 24, 96, false},
    {"FX 5 (brightness)", SynthLead, Synthetic, 24, 96, false},
    {"FX 6 (goblins)", SynthLead, Synthetic, 24, 96, false},
    {"FX 7 (echoes)", SynthLead, Synthetic, 24, 96, false},
    {"FX 8 (sci-fi)", SynthLead, Synthetic, 24, 96, false},
    // Ethnic
    {"Sitar", Guitar, Acoustic, 48, 84, false},
    {"Banjo", Guitar, Acoustic, 48, 84, false},
    {"Shamisen", Guitar, Acoustic, 48, 84, false},
    {"Koto", String, Acoustic, 48, 91, false},
    {"Kalimba", Mallet, Acoustic, 55, 91, false},
    {"Bagpipe", Reed, Acoustic, 55, 81, false},
    {"Fiddle", String, Acoustic, 55, 96, false},
    {"Shanai", Reed, Acoustic, 55, 86, false},
    // Percussive
    {"Tinkle Bell", Mallet, Acoustic, 60, 108, false},
    {"Agogo", Mallet, Acoustic, 48, 84, false},
    {"Steel Drums", Mallet, Acoustic, 48, 88, false},
    {"Woodblock", Mallet, Acoustic, 48, 84, false},
    {"Taiko Drum", Mallet, Acoustic, 36, 72, false},
    {"Melodic Tom", Mallet, Acoustic, 36, 72, false},
    {"Synth Drum", Mallet, Synthetic, 36, 72, false},
    {"Reverse Cymbal", Mallet, Acoustic, 36, 84, false},
    // Sound effects
    {"Guitar Fret Noise", SynthLead, Synthetic, 24, 96, true},
    {"Breath Noise", SynthLead, Synthetic, 24, 96, true},
    {"Seashore", SynthLead, Synthetic, 24, 96, true},
    {"Bird Tweet", SynthLead, Synthetic, 24, 96, true},
    {"Telephone Ring", SynthLead, Synthetic, 24, 96, true},
    {"Helicopter", SynthLead, Synthetic, 24, 96, true},
    {"Applause", SynthLead, Synthetic, 24, 96, true},
    {"Gunshot", SynthLead, Synthetic, 24, 96, true},
};

} // namespace

const GmProgramClass& gmProgramClass(int program)
{
    if (program < 0 || program > 127)
        throw ConfigError("General MIDI program " + std::to_string(program) + " is outside 0..127");
    return kPrograms[program];
}

std::string gmInstrumentStr(int program)
{
    const GmProgramClass& c = gmProgramClass(program);
    int rank = 0;
    for (int p = 0; p < program; ++p)
        if (kPrograms[p].family == c.family && kPrograms[p].source == c.source)
            ++rank;
    char num[16];
    std::snprintf(num, sizeof num, "%03d", rank);
    return std::string(familyName(c.family)) + "_" + sourceName(c.source) + "_" + num;
}

} // namespace morph::render
