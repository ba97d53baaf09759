// Package backup writes the portal's whole store (every MongoDB collection
// but the sessions, and every object in the S3 bucket) into one tar
// archive with a manifest of sizes and SHA-256 sums, and restores such an
// archive into an empty store, checking every sum while it reads.
//
// Archive layout, in this order:
//
//	mongo/<collection>.jsonl   one document per line, canonical MongoDB Extended JSON
//	objects/<key>              each object's bytes (content type in a PAX record)
//	manifest.json              format, portal version, and every entry's size and SHA-256
//
// The manifest comes last because an object's SHA-256 is only known once
// it has been streamed into the archive; restore checks against it before
// it writes any metadata.
package backup

import (
	"strings"
	"time"
)

// Format names the archive format in the manifest.
const Format = "smakom-portal-backup"

// FormatVersion is the layout version; restore refuses newer ones.
const FormatVersion = 1

const (
	manifestName  = "manifest.json"
	mongoPrefix   = "mongo/"
	mongoSuffix   = ".jsonl"
	objectsPrefix = "objects/"
	// paxContentType carries an object's content type in its tar header.
	paxContentType = "SMAKOM.content_type"
)

// Excluded collections are not backed up: logins are short-lived and
// people log in again after a restore.
var Excluded = []string{"sessions"}

// Manifest describes an archive.
type Manifest struct {
	Format        string    `json:"format"`
	FormatVersion int       `json:"format_version"`
	PortalVersion string    `json:"portal_version"`
	CreatedAt     time.Time `json:"created_at"`
	Database      string    `json:"database"` // where it came from; restore may use another
	Bucket        string    `json:"bucket"`
	Excluded      []string  `json:"excluded_collections"`
	Entries       []Entry   `json:"entries"`
	// Vanished lists objects that were listed but deleted before they
	// could be read (a backup of a running portal); no saved metadata
	// names them.
	Vanished []string `json:"vanished_objects,omitempty"`
	// Missing lists objects the saved metadata names that are not in the
	// archive: deleted while the backup ran (a replaced recording), or
	// missing before. A restore of such an archive lacks them.
	Missing []string `json:"missing_objects,omitempty"`
}

// Entry is one file of the archive.
type Entry struct {
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	Collection  string `json:"collection,omitempty"`
	Documents   int64  `json:"documents,omitempty"`
	Key         string `json:"key,omitempty"`
	ContentType string `json:"content_type,omitempty"`
}

// Totals counts what an archive holds.
type Totals struct {
	Collections  int
	Documents    int64
	Objects      int
	ObjectBytes  int64
	ArchiveBytes int64 // the entries' bytes, before any compression
}

// Totals sums the manifest's entries.
func (m *Manifest) Totals() Totals {
	var t Totals
	for _, e := range m.Entries {
		t.ArchiveBytes += e.Size
		if e.Collection != "" {
			t.Collections++
			t.Documents += e.Documents
		} else {
			t.Objects++
			t.ObjectBytes += e.Size
		}
	}
	return t
}

func collectionEntryName(coll string) string { return mongoPrefix + coll + mongoSuffix }

func objectEntryName(key string) string { return objectsPrefix + key }

// backedUp says whether a collection belongs in a backup.
func backedUp(coll string) bool {
	if strings.HasPrefix(coll, "system.") {
		return false
	}
	for _, x := range Excluded {
		if coll == x {
			return false
		}
	}
	return true
}
