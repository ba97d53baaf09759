package media

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/smakom/webinar-portal/internal/connguard"
)

// LocalFiles reads objects straight from the folder of an S3 server that
// keeps each object as a plain file (the embedded versitygw: bucket/key).
// The portal then sends recordings with sendfile instead of copying them
// through a second HTTP connection on the same machine. Writes still go
// through S3; objects are never rewritten in place (keys are not reused,
// and versitygw renames a finished upload into place), so an open file
// always holds one whole object.
type LocalFiles struct {
	dir string // the bucket's folder
}

// NewLocalFiles reads the objects of bucket under root.
func NewLocalFiles(root, bucket string) (*LocalFiles, error) {
	if !filepath.IsAbs(root) {
		return nil, fmt.Errorf("local object folder %q is not absolute", root)
	}
	if !filepath.IsLocal(bucket) {
		return nil, fmt.Errorf("bucket name %q", bucket)
	}
	return &LocalFiles{dir: filepath.Join(root, bucket)}, nil
}

// ErrNotLocal means the object cannot be read from the folder; the caller
// reads it through S3 instead.
var ErrNotLocal = errors.New("object not readable as a local file")

// Open returns the bytes [offset, offset+length) of the object, which must
// be a regular file of exactly size bytes (the size in the metadata).
func (l *LocalFiles) Open(key string, size, offset, length int64) (*FileRange, error) {
	if !filepath.IsLocal(key) {
		return nil, ErrNotLocal
	}
	f, err := os.Open(filepath.Join(l.dir, filepath.FromSlash(key)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotLocal, err)
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != size || offset < 0 || length < 0 || offset+length > size {
		f.Close()
		return nil, ErrNotLocal
	}
	return &FileRange{f: f, r: io.NewSectionReader(f, offset, length), offset: offset, length: length}, nil
}

// FileRange is a byte range of an open file. Written to a TCP connection
// it goes out with sendfile(2).
type FileRange struct {
	f              *os.File
	r              *io.SectionReader
	offset, length int64
}

func (fr *FileRange) Read(p []byte) (int, error) { return fr.r.Read(p) }

func (fr *FileRange) Close() error { return fr.f.Close() }

// WriteTo hands the range to the connection: an io.LimitedReader over the
// file positioned at the offset is what net.TCPConn turns into sendfile,
// and a bufio.Writer passes it through only when its buffer is empty.
func (fr *FileRange) WriteTo(w io.Writer) (int64, error) {
	if bw, ok := w.(*bufio.Writer); ok {
		if err := bw.Flush(); err != nil {
			return 0, err
		}
	}
	if _, err := fr.f.Seek(fr.offset, io.SeekStart); err != nil {
		return 0, err
	}
	// In pieces, so a viewer that stops reading is cut off (connguard).
	return connguard.CopyInPieces(w, fr.f, fr.length)
}
