package upload

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"time"

	"github.com/smakom/webinar-portal/internal/media"
)

// Append streams a chunk of n bytes (-1 when unknown) at offset, which
// must be where the upload stands, into the upload's S3 multipart upload.
// The chunk that brings the last byte completes the object and has the
// Target commit it.
//
// Without a checksum each part counts as soon as S3 has stored it, and
// tail bytes count when the chunk ends, however it ends: a chunk that
// breaks off keeps what was stored. With a checksum, or when the length is
// unknown, the chunk counts only whole: when it matches (and does not run
// past the declared length); otherwise nothing of it is kept. A chunk that
// would run past the declared length is refused whole.
func (s *Store) Append(ctx context.Context, id string, offset int64, body io.Reader, n int64, sum *Checksum) (Info, error) {
	ctx, unlock, err := s.lock(ctx, id)
	if err != nil {
		return Info{}, err
	}
	defer unlock()
	h := s.handoffOf(id)
	rec, err := s.read(id)
	if err != nil {
		return Info{}, err
	}
	if rec.Finished {
		if offset != rec.Length {
			return rec.info(), ErrOffset
		}
		return rec.info(), nil // a retried last chunk: nothing more to write
	}
	if h != nil && len(rec.Parts) >= h.f.number {
		h = nil // committed by itself meanwhile
	}
	c, err := s.newChunk(ctx, rec, h, n < 0 || sum != nil)
	if err != nil {
		return rec.info(), err
	}
	defer c.close()
	if offset != c.offset() {
		err = ErrOffset
	}
	remaining := rec.Length - c.offset()
	if err == nil && n > remaining {
		err = ErrTooLong
	}
	if err != nil {
		// The client goes by the offset it is told: the committed one.
		_ = c.land(false)
		return c.rec.info(), err
	}

	in := &bodyReader{r: body, want: n}
	src := io.Reader(in)
	if sum != nil {
		src = io.TeeReader(src, sum.Hash)
	}
	if n >= 0 {
		err = c.writeKnown(src, n, n == remaining)
	} else {
		err = c.writeUnknown(io.LimitReader(src, remaining+1), remaining)
	}
	if in.err != nil {
		err = fmt.Errorf("%w: %w", ErrInterrupted, in.err)
	}
	if err == nil && sum != nil && !bytes.Equal(sum.Hash.Sum(nil), sum.Want) {
		err = ErrChecksum
	}
	// A chunk that ends on a part boundary is answered with its last part
	// in flight; otherwise every part is joined first (see flight.go).
	handOff := err == nil && !c.whole && c.flying != nil && c.inherited == nil && c.tailLen == 0 &&
		c.offset() < rec.Length
	if !handOff {
		if jerr := c.land(c.whole && err != nil); err == nil {
			err = jerr
		}
	}
	if c.whole && err != nil {
		c.rollback()
	} else if cerr := c.commit(); cerr != nil && err == nil {
		err = cerr
	}
	if handOff {
		if err != nil {
			_ = c.land(true)
		} else {
			c.flying.detach()
			s.handOff(c.flying, c.rec)
			info := c.rec.info()
			info.Offset += c.flying.size
			return info, nil
		}
	}
	switch {
	case errors.Is(err, media.ErrNoUpload):
		// Its S3 upload was aborted (by a sweep): it cannot go on.
		_ = s.removeFiles(id)
		return c.rec.info(), ErrNotFound
	case errors.Is(err, errLostPart):
		// S3 failed the part the last chunk left in flight: the client
		// must send its bytes again.
		return c.rec.info(), ErrOffset
	case err != nil:
		return c.rec.info(), err
	}
	if c.rec.info().Complete() {
		rec, err := s.finish(ctx, c.rec)
		return rec.info(), err
	}
	return c.rec.info(), nil
}

// errLostPart: a part left in flight by an earlier chunk failed.
var errLostPart = errors.New("the part of an earlier chunk was not stored")

// Finish completes an upload whose bytes have all been committed but
// whose object was not (the portal stopped in between); it does nothing
// to other uploads. It returns the upload as it then stands.
func (s *Store) Finish(ctx context.Context, id string) (Info, error) {
	ctx, unlock, err := s.lock(ctx, id)
	if err != nil {
		return Info{}, err
	}
	defer unlock()
	if h := s.handoffOf(id); h != nil {
		_, _ = s.settle(h)
	}
	rec, err := s.read(id)
	if err != nil || rec.Finished || !rec.info().Complete() {
		return rec.info(), err
	}
	rec, err = s.finish(ctx, rec)
	return rec.info(), err
}

// finishTimeout bounds completing, probing, post-processing (a remux of a
// large recording takes minutes) and committing a finished upload.
const finishTimeout = time.Hour

// finish joins the parts into the object and has the Target commit it. A
// client that goes away (or a cancel) meanwhile does not stop it.
func (s *Store) finish(ctx context.Context, rec record) (record, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	_, err := s.objects.CompleteMultipart(ctx, rec.Key, rec.UploadID, rec.Parts)
	if errors.Is(err, media.ErrNoUpload) {
		// Completed before, when the portal stopped before the commit?
		obj, serr := s.objects.Stat(ctx, rec.Key)
		if serr != nil || obj.Size != rec.Length {
			_ = s.removeFiles(rec.ID)
			return rec, ErrNotFound
		}
		err = nil
	}
	if err != nil {
		return rec, err // the S3 upload is intact: a retry completes it
	}
	h, err := restoreHash(rec.SHA256)
	if err != nil {
		return rec, err
	}
	obj := media.Object{Key: rec.Key, Size: rec.Length, SHA256: hex.EncodeToString(h.Sum(nil)), ContentType: rec.ContentType}
	if err := s.target.CommitUpload(ctx, rec.Slug, rec.Kind, rec.Filename, obj); err != nil {
		// The object is deleted: nothing is left to resume.
		_ = s.removeFiles(rec.ID)
		return rec, err
	}
	done := record{Info: rec.Info, Key: rec.Key, ContentType: rec.ContentType}
	done.Finished = true
	if err := s.write(done); err != nil {
		return rec, err
	}
	_ = os.Remove(s.tailPath(rec.ID, rec.TailGen))
	return done, nil
}

func restoreHash(state []byte) (hash.Hash, error) {
	h := sha256.New()
	if len(state) > 0 {
		if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
			return nil, fmt.Errorf("upload hash state: %w", err)
		}
	}
	return h, nil
}

// bodyReader keeps the first error of a chunk's body; a body that ends
// before its announced length is cut off.
type bodyReader struct {
	r    io.Reader
	want int64 // -1 when unknown
	n    int64
	err  error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	if err == io.EOF && b.want >= 0 && b.n < b.want {
		err = io.ErrUnexpectedEOF
	}
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}
