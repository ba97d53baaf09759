package backup

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// ErrNotEmpty is returned when the store to restore into holds data.
var ErrNotEmpty = errors.New("the store is not empty")

// ErrDamaged is returned when the archive does not match its manifest or
// cannot be read.
var ErrDamaged = errors.New("the archive is damaged or incomplete")

// maxManifest bounds the manifest read into memory.
const maxManifest = 64 << 20

// insertBatchBytes bounds one InsertMany.
const insertBatchBytes = 4 << 20

// CheckEmpty fails with ErrNotEmpty, naming what it found, when any backed
// up collection has documents or the bucket has objects.
func CheckEmpty(ctx context.Context, st Store) error {
	names, err := st.DB.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("list collections: %w", err)
	}
	sort.Strings(names)
	var found []string
	for _, name := range names {
		if !backedUp(name) {
			continue
		}
		n, err := st.DB.Collection(name).CountDocuments(ctx, bson.D{})
		if err != nil {
			return fmt.Errorf("count %s: %w", name, err)
		}
		if n > 0 {
			found = append(found, fmt.Sprintf("%s: %d documents", name, n))
		}
	}
	objects, err := st.Objects.List(ctx, "")
	if err != nil {
		return fmt.Errorf("list objects: %w", err)
	}
	if len(objects) > 0 {
		found = append(found, fmt.Sprintf("bucket %s: %d objects", st.Objects.Bucket(), len(objects)))
	}
	if len(found) > 0 {
		return fmt.Errorf("%w (%s)", ErrNotEmpty, strings.Join(found, ", "))
	}
	return nil
}

// RestoreOptions tune a restore.
type RestoreOptions struct {
	TempDir string // for the collections until the archive is checked
}

// Restore loads an archive (plain or gzip-compressed tar) into st, which
// must be empty. Objects go in as they are read; the collections wait in
// temporary files until every entry has matched the manifest, and only then
// go into MongoDB. On any failure, everything written is removed again.
func Restore(ctx context.Context, r io.Reader, st Store, opt RestoreOptions) (m *Manifest, err error) {
	if err := CheckEmpty(ctx, st); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(opt.TempDir, "portal-restore-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	rs := &restorer{st: st, tmp: tmp, seen: map[string]Entry{}}
	defer func() {
		if err != nil {
			if rerr := rs.rollback(context.WithoutCancel(ctx)); rerr != nil {
				err = fmt.Errorf("%w; removing what was restored also failed: %v", err, rerr)
			}
		}
	}()

	br := bufio.NewReaderSize(r, 1<<20)
	in := io.Reader(br)
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
		}
		in = gz
	}
	in = archiveReader{in}
	if err := rs.readArchive(ctx, tar.NewReader(in)); err != nil {
		return nil, err
	}
	if err := rs.check(); err != nil {
		return nil, err
	}
	// A compressed archive's own checksum is at its very end.
	if _, err := io.Copy(io.Discard, in); err != nil {
		return nil, fmt.Errorf("%w: after the last entry: %v", ErrDamaged, err)
	}
	if err := rs.insertCollections(ctx); err != nil {
		return nil, err
	}
	return rs.manifest, nil
}

type restorer struct {
	st       Store
	tmp      string
	manifest *Manifest
	seen     map[string]Entry // as read, with the SHA-256 computed here
	dumps    []string         // entry names of collections, in archive order
	written  []string         // object keys put
	touched  []string         // collections inserted into
}

func (rs *restorer) readArchive(ctx context.Context, tr *tar.Reader) error {
	last := "(start)"
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: after entry %s: %v", ErrDamaged, last, err)
		}
		last = hdr.Name
		if hdr.Typeflag != tar.TypeReg {
			return fmt.Errorf("%w: unexpected entry %s (not a file)", ErrDamaged, hdr.Name)
		}
		if _, dup := rs.seen[hdr.Name]; dup || (hdr.Name == manifestName && rs.manifest != nil) {
			return fmt.Errorf("%w: entry %s appears twice", ErrDamaged, hdr.Name)
		}
		switch {
		case hdr.Name == manifestName:
			err = rs.readManifest(tr)
		case strings.HasPrefix(hdr.Name, mongoPrefix) && strings.HasSuffix(hdr.Name, mongoSuffix):
			err = rs.keepCollection(tr, hdr)
		case strings.HasPrefix(hdr.Name, objectsPrefix) && len(hdr.Name) > len(objectsPrefix):
			err = rs.putObject(ctx, tr, hdr)
		default:
			err = fmt.Errorf("%w: unexpected entry %s", ErrDamaged, hdr.Name)
		}
		if err != nil {
			return err
		}
	}
}

func (rs *restorer) readManifest(r io.Reader) error {
	var m Manifest
	if err := json.NewDecoder(io.LimitReader(r, maxManifest)).Decode(&m); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrDamaged, manifestName, err)
	}
	if m.Format != Format {
		return fmt.Errorf("not a portal backup (%s names format %q)", manifestName, m.Format)
	}
	if m.FormatVersion > FormatVersion {
		return fmt.Errorf("the archive has format version %d; this portal reads up to %d (use a newer portal)",
			m.FormatVersion, FormatVersion)
	}
	rs.manifest = &m
	return nil
}

// keepCollection copies a collection's lines to a temporary file: they go
// into MongoDB only once the whole archive has been checked.
func (rs *restorer) keepCollection(r io.Reader, hdr *tar.Header) error {
	coll := strings.TrimSuffix(strings.TrimPrefix(hdr.Name, mongoPrefix), mongoSuffix)
	if coll == "" || strings.ContainsAny(coll, "/\\$\x00") || !backedUp(coll) {
		return fmt.Errorf("%w: unexpected entry %s", ErrDamaged, hdr.Name)
	}
	f, err := os.Create(filepath.Join(rs.tmp, coll+mongoSuffix))
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if err != nil {
		return fmt.Errorf("%w: entry %s: %v", ErrDamaged, hdr.Name, err)
	}
	rs.seen[hdr.Name] = Entry{Name: hdr.Name, Collection: coll, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}
	rs.dumps = append(rs.dumps, hdr.Name)
	return f.Close()
}

// putObject streams one object into the bucket, hashing it on the way.
func (rs *restorer) putObject(ctx context.Context, r io.Reader, hdr *tar.Header) error {
	key := strings.TrimPrefix(hdr.Name, objectsPrefix)
	if !safeKey(key) {
		return fmt.Errorf("%w: unexpected entry %s", ErrDamaged, hdr.Name)
	}
	h := sha256.New()
	rs.written = append(rs.written, key) // Put removes a failed object itself; rollback is harmless
	obj, err := rs.st.Objects.Put(ctx, key, io.TeeReader(r, h), hdr.Size, hdr.PAXRecords[paxContentType])
	var bad archiveError
	switch {
	case errors.As(err, &bad):
		return fmt.Errorf("%w: entry %s cannot be read: %v", ErrDamaged, hdr.Name, bad.err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: entry %s ends early", ErrDamaged, hdr.Name)
	}
	if err != nil {
		return fmt.Errorf("entry %s: %w", hdr.Name, err)
	}
	rs.seen[hdr.Name] = Entry{Name: hdr.Name, Key: key, Size: obj.Size, SHA256: hex.EncodeToString(h.Sum(nil))}
	return nil
}

// archiveReader marks errors reading the archive (a corrupt compressed
// stream, a failing disk), which an object's upload would otherwise
// report as its own.
type archiveReader struct{ r io.Reader }

type archiveError struct{ err error }

func (e archiveError) Error() string { return e.err.Error() }
func (e archiveError) Unwrap() error { return e.err }

func (a archiveReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if err != nil && err != io.EOF {
		err = archiveError{err}
	}
	return n, err
}

// safeKey refuses keys a file-backed S3 server could take for a path
// outside the bucket; the portal never makes such keys.
func safeKey(key string) bool {
	if strings.HasPrefix(key, "/") || strings.ContainsRune(key, 0) {
		return false
	}
	for _, part := range strings.Split(key, "/") {
		if part == ".." || part == "." || part == "" {
			return false
		}
	}
	return true
}

// check compares what was read with the manifest, entry by entry.
func (rs *restorer) check() error {
	if rs.manifest == nil {
		return fmt.Errorf("%w: it has no %s (cut off, or not a portal backup)", ErrDamaged, manifestName)
	}
	listed := map[string]bool{}
	for _, want := range rs.manifest.Entries {
		listed[want.Name] = true
		got, ok := rs.seen[want.Name]
		switch {
		case !ok:
			return fmt.Errorf("%w: entry %s is in the manifest but not in the archive", ErrDamaged, want.Name)
		case got.Size != want.Size:
			return fmt.Errorf("%w: entry %s has %d bytes, the manifest says %d", ErrDamaged, want.Name, got.Size, want.Size)
		case got.SHA256 != want.SHA256:
			return fmt.Errorf("%w: entry %s does not match its SHA-256 in the manifest", ErrDamaged, want.Name)
		}
	}
	for name := range rs.seen {
		if !listed[name] {
			return fmt.Errorf("%w: entry %s is not in the manifest", ErrDamaged, name)
		}
	}
	return nil
}

func (rs *restorer) insertCollections(ctx context.Context) error {
	docs := map[string]int64{}
	for _, e := range rs.manifest.Entries {
		docs[e.Name] = e.Documents
	}
	for _, name := range rs.dumps {
		e := rs.seen[name]
		n, err := rs.insertCollection(ctx, e.Collection)
		if err != nil {
			return fmt.Errorf("collection %s: %w", e.Collection, err)
		}
		if n != docs[name] {
			return fmt.Errorf("%w: collection %s has %d documents, the manifest says %d", ErrDamaged, e.Collection, n, docs[name])
		}
	}
	return nil
}

func (rs *restorer) insertCollection(ctx context.Context, coll string) (int64, error) {
	f, err := os.Open(filepath.Join(rs.tmp, coll+mongoSuffix))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	rs.touched = append(rs.touched, coll)
	c := rs.st.DB.Collection(coll)
	var (
		batch     []any
		batchSize int
		total     int64
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := c.InsertMany(ctx, batch); err != nil {
			return err
		}
		total += int64(len(batch))
		batch, batchSize = nil, 0
		return nil
	}
	br := bufio.NewReaderSize(f, 1<<20)
	for line := 1; ; line++ {
		text, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(text)) > 0 {
			var doc bson.D
			if uerr := bson.UnmarshalExtJSON(text, true, &doc); uerr != nil {
				return total, fmt.Errorf("%w: line %d: %v", ErrDamaged, line, uerr)
			}
			batch = append(batch, doc)
			batchSize += len(text)
			if batchSize >= insertBatchBytes {
				if err := flush(); err != nil {
					return total, err
				}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return total, err
		}
	}
	return total, flush()
}

// rollback removes every object put and every document inserted; the
// store was empty before, so removing all of them is exact.
func (rs *restorer) rollback(ctx context.Context) error {
	var errs []error
	for _, coll := range rs.touched {
		if _, err := rs.st.DB.Collection(coll).DeleteMany(ctx, bson.D{}); err != nil {
			errs = append(errs, fmt.Errorf("collection %s: %w", coll, err))
		}
	}
	for _, key := range rs.written {
		if err := rs.st.Objects.Delete(ctx, key); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
