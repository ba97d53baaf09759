package server

import "time"

// Template helpers for the moments a search found in a transcript.
func init() {
	// seconds is a moment's whole second, for ?t= links (rounded down, so
	// playback starts just before the words).
	templateFuncs["seconds"] = func(ms int64) int64 { return ms / 1000 }
	templateFuncs["clockms"] = func(ms int64) string { return clock(time.Duration(ms/1000) * time.Second) }
	messages["catalogue.moments"] = message{"Sagt i inspelningen", "Said in the recording"}
}
