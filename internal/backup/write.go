package backup

import (
	"archive/tar"
	"bufio"
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
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// Store is what a backup reads and a restore fills.
type Store struct {
	DB      *mongo.Database
	Objects *media.Store
}

// webinarsCollection holds the documents that name objects.
const webinarsCollection = "webinars"

// Progress reports bytes done of a total.
type Progress func(done, total int64)

// Options tune a backup.
type Options struct {
	Gzip          bool
	PortalVersion string
	TempDir       string   // for the collections' dumps; "" for the system default
	Progress      Progress // may be nil
}

// Write streams a backup of st into w and returns its manifest.
//
// The collections are dumped first (to temporary files, since a tar header
// needs the size), then the objects are listed and streamed one at a time:
// with a portal running, an object uploaded after the dump has no metadata
// pointing at it, and every object the dumped metadata names was there
// before it (uploads write the object first). One deleted since (a
// replaced recording) is named in Manifest.Missing.
func Write(ctx context.Context, w io.Writer, st Store, opt Options) (*Manifest, error) {
	tmp, err := os.MkdirTemp(opt.TempDir, "portal-backup-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	m := &Manifest{Format: Format, FormatVersion: FormatVersion, PortalVersion: opt.PortalVersion,
		CreatedAt: time.Now().UTC().Truncate(time.Second), Database: st.DB.Name(), Bucket: st.Objects.Bucket(),
		Excluded: Excluded}
	refs := map[string]bool{}
	dumps, err := dumpCollections(ctx, st.DB, tmp, refs)
	if err != nil {
		return nil, err
	}
	objects, err := st.Objects.List(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("list objects: %w", err)
	}
	// An object the metadata names but the listing lacks was deleted in
	// between (a replaced recording) or was missing before: try it, and
	// say so in the manifest if it is gone.
	listed := map[string]bool{}
	for _, o := range objects {
		listed[o.Key] = true
	}
	for key := range refs {
		if !listed[key] {
			objects = append(objects, media.Object{Key: key})
		}
	}
	sort.Slice(objects, func(i, j int) bool { return objects[i].Key < objects[j].Key })

	pw := &progressWriter{report: opt.Progress}
	for _, d := range dumps {
		pw.total += d.Size
	}
	for _, o := range objects {
		pw.total += o.Size
	}
	pw.tick()

	out := w
	var gz *gzip.Writer
	if opt.Gzip {
		// Recordings hardly compress: the fastest level keeps the CPU free.
		gz, _ = gzip.NewWriterLevel(w, gzip.BestSpeed)
		out = gz
	}
	tw := tar.NewWriter(out)

	for _, d := range dumps {
		if err := writeFile(tw, d, pw); err != nil {
			return nil, err
		}
		m.Entries = append(m.Entries, d.Entry)
	}
	for _, o := range objects {
		e, err := writeObject(ctx, tw, st.Objects, o, pw)
		if errors.Is(err, media.ErrNotFound) {
			pw.total -= o.Size
			if refs[o.Key] {
				m.Missing = append(m.Missing, o.Key)
			} else {
				// Deleted since the listing and named by no saved
				// metadata: a running portal removed it.
				m.Vanished = append(m.Vanished, o.Key)
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		m.Entries = append(m.Entries, e)
	}

	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	hdr := &tar.Header{Name: manifestName, Mode: 0o644, Size: int64(len(body)), ModTime: m.CreatedAt, Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, err
	}
	if _, err := tw.Write(body); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if gz != nil {
		if err := gz.Close(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// dump is one collection written to a temporary file.
type dump struct {
	Entry
	path string
}

func dumpCollections(ctx context.Context, db *mongo.Database, dir string, refs map[string]bool) ([]dump, error) {
	names, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("list collections: %w", err)
	}
	sort.Strings(names)
	var dumps []dump
	for _, name := range names {
		if !backedUp(name) {
			continue
		}
		d, err := dumpCollection(ctx, db.Collection(name), filepath.Join(dir, name+mongoSuffix), refs)
		if err != nil {
			return nil, fmt.Errorf("collection %s: %w", name, err)
		}
		dumps = append(dumps, d)
	}
	return dumps, nil
}

// dumpCollection writes every document as one line of canonical Extended
// JSON, which keeps BSON types (dates, int64, binary) exact.
func dumpCollection(ctx context.Context, coll *mongo.Collection, path string, refs map[string]bool) (dump, error) {
	d := dump{Entry: Entry{Name: collectionEntryName(coll.Name()), Collection: coll.Name()}, path: path}
	f, err := os.Create(path)
	if err != nil {
		return d, err
	}
	defer f.Close()
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
	cur, err := coll.Find(ctx, bson.D{})
	if err != nil {
		return d, err
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		line, err := bson.MarshalExtJSON(cur.Current, true, false)
		if err != nil {
			return d, err
		}
		if err := objectRefs(coll.Name(), cur.Current, refs); err != nil {
			return d, err
		}
		if _, err := bw.Write(append(line, '\n')); err != nil {
			return d, err
		}
		d.Documents++
		d.Size += int64(len(line)) + 1
	}
	if err := cur.Err(); err != nil {
		return d, err
	}
	if err := bw.Flush(); err != nil {
		return d, err
	}
	d.SHA256 = hex.EncodeToString(h.Sum(nil))
	return d, f.Close()
}

// objectRefs adds the object keys a document names: a webinar's
// recording, slide decks and poster.
func objectRefs(coll string, doc bson.Raw, refs map[string]bool) error {
	if coll != webinarsCollection {
		return nil
	}
	var w webinar.Webinar
	if err := bson.Unmarshal(doc, &w); err != nil {
		return fmt.Errorf("read webinar %s: %w", doc.Lookup("_id"), err)
	}
	for _, r := range w.ObjectRefs() {
		if r.Key != "" {
			refs[r.Key] = true
		}
	}
	return nil
}

func writeFile(tw *tar.Writer, d dump, pw *progressWriter) error {
	f, err := os.Open(d.path)
	if err != nil {
		return err
	}
	defer f.Close()
	hdr := &tar.Header{Name: d.Name, Mode: 0o644, Size: d.Size, ModTime: time.Now(), Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	pw.w = tw
	if _, err := io.Copy(pw, f); err != nil {
		return fmt.Errorf("%s: %w", d.Name, err)
	}
	return nil
}

// writeObject streams one object into the archive, hashing it on the way.
func writeObject(ctx context.Context, tw *tar.Writer, objects *media.Store, listed media.Object, pw *progressWriter) (Entry, error) {
	body, info, err := objects.OpenObject(ctx, listed.Key)
	if err != nil {
		return Entry{}, err
	}
	defer body.Close()
	// Replaced since the listing: the archive holds what was read.
	pw.total += info.Size - listed.Size
	e := Entry{Name: objectEntryName(info.Key), Size: info.Size, Key: info.Key, ContentType: info.ContentType}
	hdr := &tar.Header{Name: e.Name, Mode: 0o644, Size: info.Size, ModTime: info.LastModified, Format: tar.FormatPAX,
		PAXRecords: map[string]string{paxContentType: info.ContentType}}
	if err := tw.WriteHeader(hdr); err != nil {
		return e, err
	}
	h := sha256.New()
	pw.w = io.MultiWriter(tw, h)
	n, err := io.Copy(pw, body)
	if err == nil && n != info.Size {
		err = fmt.Errorf("read %d of %d bytes", n, info.Size)
	}
	if err != nil {
		return e, fmt.Errorf("object %s: %w", info.Key, err)
	}
	e.SHA256 = hex.EncodeToString(h.Sum(nil))
	return e, nil
}

// progressWriter passes writes on and reports the bytes done.
type progressWriter struct {
	w           io.Writer
	done, total int64
	report      Progress
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.done += int64(n)
	p.tick()
	return n, err
}

func (p *progressWriter) tick() {
	if p.report != nil {
		p.report(p.done, p.total)
	}
}
