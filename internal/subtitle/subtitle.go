// Package subtitle imports and exports the subtitle tracks of webinars.
//
// Parse reads SRT, WebVTT, SSA/ASS, EBU STL and TTML (through go-astisub)
// and reduces every format to the same model: plain-text cues with
// millisecond times. WriteVTT serves a track to the browser's <track>
// element, WriteSRT offers it for download, and Store keeps one track per
// webinar and language in MongoDB, with a revision so that edits based on
// an old one are refused. CheckEdit and Shift check and move the cues
// staff change in the caption editor.
package subtitle

import "time"

// MaxBytes is the largest subtitle file Parse accepts (10 MiB), whatever
// the configured upload limit: a track is stored in one MongoDB document
// (16 MiB at most), and a file in Windows-1252 grows by up to half when
// its å, ä and ö become two-byte UTF-8.
const MaxBytes = 10 << 20

// Format names returned by Parse and stored in Track.Format.
const (
	FormatSRT  = "srt"
	FormatVTT  = "vtt"
	FormatSSA  = "ssa"
	FormatSTL  = "stl"
	FormatTTML = "ttml"
)

// Cue is one subtitle shown between Start and End.
//
// Times are whole milliseconds (Parse rounds them) and are stored as int64
// milliseconds in BSON (see cue_bson.go). Text is plain text, never HTML:
// styling is stripped on import, lines are joined with "\n", and whoever
// renders it must escape it.
type Cue struct {
	Start time.Duration `bson:"start_ms"`
	End   time.Duration `bson:"end_ms"`
	Text  string        `bson:"text"`
}
