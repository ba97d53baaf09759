package media

import (
	"bytes"
	"io"
)

// Kind is what a file was found to be from its first bytes.
type Kind struct {
	ContentType string
	Ext         string
}

var (
	MP4  = Kind{"video/mp4", "mp4"}
	WebM = Kind{"video/webm", "webm"}
	PDF  = Kind{"application/pdf", "pdf"}
	PPTX = Kind{"application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"}
	JPEG = Kind{"image/jpeg", "jpg"}
	PNG  = Kind{"image/png", "png"}
)

// SniffLen is how many leading bytes Sniff needs.
const SniffLen = 512

// Sniff tells the kind of a file from its first bytes, or false when it is
// none of the kinds the portal stores. File names are never trusted.
func Sniff(head []byte) (Kind, bool) {
	switch {
	case len(head) >= 12 && bytes.Equal(head[4:8], []byte("ftyp")):
		// Other ISO-BMFF files (HEIC/AVIF images, QuickTime) share the box.
		switch string(head[8:12]) {
		case "heic", "heix", "mif1", "msf1", "avif", "avis", "qt  ", "crx ", "jp2 ":
			return Kind{}, false
		}
		return MP4, true
	case bytes.HasPrefix(head, []byte{0x1A, 0x45, 0xDF, 0xA3}) && bytes.Contains(head, []byte("webm")):
		return WebM, true
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return PDF, true
	case bytes.HasPrefix(head, []byte("PK\x03\x04")) && bytes.Contains(head, []byte("ppt/")) ||
		bytes.HasPrefix(head, []byte("PK\x03\x04")) && bytes.Contains(head, []byte("[Content_Types].xml")):
		return PPTX, true
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG, true
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, true
	}
	return Kind{}, false
}

// Peek reads up to SniffLen bytes from r and returns them with a reader
// that yields the whole stream again.
func Peek(r io.Reader) ([]byte, io.Reader, error) {
	head := make([]byte, SniffLen)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, nil, err
	}
	head = head[:n]
	return head, io.MultiReader(bytes.NewReader(head), r), nil
}
