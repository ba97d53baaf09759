package subtitle

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"time"
)

// astisub's WriteToWebVTT and WriteToSRT are not used: they leave ">" (and
// so "-->") unescaped in text, which turns a line into a timing line on
// the next read, WriteToSRT prepends a BOM, and both need the cues turned
// back into astisub items with styles. These writers are small and exact.

// WriteVTT writes cues as a WebVTT file: the WEBVTT header, then numbered
// cues with HH:MM:SS.mmm times and text escaped for WebVTT.
func WriteVTT(w io.Writer, cues []Cue) error {
	// bufio.Writer keeps the first write error; Flush reports it.
	bw := bufio.NewWriter(w)
	bw.WriteString("WEBVTT\n")
	for i, c := range cues {
		fmt.Fprintf(bw, "\n%d\n%s --> %s\n", i+1, timestamp(c.Start, '.'), timestamp(c.End, '.'))
		for _, line := range cleanLines(c.Text) {
			bw.WriteString(escapeVTTLine(line))
			bw.WriteByte('\n')
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write webvtt: %w", err)
	}
	return nil
}

// WriteSRT writes cues as a SubRip file: numbered cues with HH:MM:SS,mmm
// times, "\n" line ends and no BOM.
func WriteSRT(w io.Writer, cues []Cue) error {
	bw := bufio.NewWriter(w)
	for i, c := range cues {
		if i > 0 {
			bw.WriteByte('\n')
		}
		bw.WriteString(strconv.Itoa(i + 1))
		fmt.Fprintf(bw, "\n%s --> %s\n", timestamp(c.Start, ','), timestamp(c.End, ','))
		for _, line := range cleanLines(c.Text) {
			bw.WriteString(escapeSRTLine(line))
			bw.WriteByte('\n')
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write srt: %w", err)
	}
	return nil
}

// timestamp formats HH:MM:SS<sep>mmm. A negative time (which Parse never
// returns) is written as zero so the file stays well-formed.
func timestamp(d time.Duration, sep byte) string {
	ms := max(d.Milliseconds(), 0)
	return fmt.Sprintf("%02d:%02d:%02d%c%03d", ms/3_600_000, ms/60_000%60, ms/1000%60, sep, ms%1000)
}
