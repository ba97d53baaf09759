package subtitle

import (
	"fmt"
	"time"
)

// CheckEdit prepares cues that a person edited (in the caption editor or
// through the API) for storing: each text gets the normal form every
// reader gives (see cleanText), times are whole milliseconds, and the cues
// must pass the checks Parse makes on a file. When the recording's length
// is known (recording > 0), no cue may end after it. Errors are
// *ParseError naming the cue.
func CheckEdit(cues []Cue, recording time.Duration) ([]Cue, error) {
	out := make([]Cue, len(cues))
	for i, c := range cues {
		out[i] = Cue{Start: c.Start.Round(time.Millisecond), End: c.End.Round(time.Millisecond), Text: cleanText(c.Text)}
	}
	if err := validate(out); err != nil {
		return nil, err
	}
	if err := checkWithin(out, recording); err != nil {
		return nil, err
	}
	return out, nil
}

// checkWithin refuses a cue that ends after the recording (recording > 0).
func checkWithin(cues []Cue, recording time.Duration) error {
	if recording <= 0 {
		return nil
	}
	for i, c := range cues {
		if c.End > recording {
			return cueErrorf(i+1, "Text %d slutar %s, efter inspelningens slut %s", i+1, formatTime(c.End), formatTime(recording))
		}
	}
	return nil
}

// Shift moves every cue by offset (negative: earlier) and returns the
// moved cues; cues is not changed. A shift that would give any cue a
// negative time, or (recording > 0) move one past the recording's end, is
// refused with a *ParseError that says how far the track can move.
func Shift(cues []Cue, offset, recording time.Duration) ([]Cue, error) {
	offset = offset.Round(time.Millisecond)
	switch {
	case len(cues) == 0:
		return nil, parseErrorf(nil, msgNoCues)
	case offset == 0:
		return nil, parseErrorf(nil, "Ange en förskjutning skild från 0 ms.")
	case offset <= -maxCueTime || offset >= maxCueTime:
		return nil, parseErrorf(nil, "Förskjutningen %d ms är för stor.", offset.Milliseconds())
	}
	earliest, latest := 0, 0
	for i, c := range cues {
		if c.Start < cues[earliest].Start {
			earliest = i
		}
		if c.End > cues[latest].End {
			latest = i
		}
	}
	if first := cues[earliest]; first.Start+offset < 0 {
		return nil, cueErrorf(earliest+1, "Förskjutningen %d ms skulle ge text %d en negativ starttid (%s blir %s). Texterna kan flyttas högst %d ms bakåt.",
			offset.Milliseconds(), earliest+1, formatTime(first.Start), formatTime(first.Start+offset), first.Start.Milliseconds())
	}
	last := cues[latest]
	if end := recording; end > 0 && last.End+offset > end {
		room := max(end-last.End, 0)
		return nil, cueErrorf(latest+1, "Förskjutningen %d ms skulle flytta text %d förbi inspelningens slut (%s blir %s, inspelningen slutar %s). Texterna kan flyttas högst %d ms framåt.",
			offset.Milliseconds(), latest+1, formatTime(last.End), formatTime(last.End+offset), formatTime(end), room.Milliseconds())
	}
	if last.End+offset >= maxCueTime {
		return nil, cueErrorf(latest+1, "Förskjutningen %d ms skulle ge text %d en tid över 99:59:59,999.", offset.Milliseconds(), latest+1)
	}
	out := make([]Cue, len(cues))
	for i, c := range cues {
		out[i] = Cue{Start: c.Start + offset, End: c.End + offset, Text: c.Text}
	}
	return out, nil
}

// FormatOffset writes a shift for people: "+1,500 s" or "-0,250 s".
func FormatOffset(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	ms := d.Milliseconds()
	return fmt.Sprintf("%s%d,%03d s", sign, ms/1000, ms%1000)
}

// Timestamp writes a time as people know it from subtitle editors and SRT
// files: "00:01:02,500".
func Timestamp(d time.Duration) string { return formatTime(d) }
