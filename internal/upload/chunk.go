package upload

import (
	"bytes"
	"context"
	"encoding"
	"fmt"
	"hash"
	"io"
	"os"
	"slices"

	"github.com/smakom/webinar-portal/internal/media"
)

// chunk is one request's bytes on their way into the upload: the parts it
// sends and the tail it leaves. Its state is committed to the description
// after each part, or (whole) only at its end.
type chunk struct {
	s     *Store
	ctx   context.Context
	rec   record // as committed
	whole bool   // commit only at the end, and only when all went well

	parts     []media.Part // committed ones and this chunk's, joined
	inherited *handoff     // the last chunk's part in flight, not joined yet
	flying    *flight      // this chunk's last part, not joined yet
	hash      hash.Hash    // over the bytes of all parts sent
	hashState []byte       // hash after the last part joined
	tail      *os.File
	tailGen   int
	tailLen   int64
	fresh     bool // the tail file is this chunk's own (the committed one went into a part)
}

// newChunk starts a chunk after the committed rec and, when h is set, the
// part the last chunk left in flight.
func (s *Store) newChunk(ctx context.Context, rec record, h *handoff, whole bool) (*chunk, error) {
	state := rec.SHA256
	if h != nil {
		state = h.f.hash
	}
	hs, err := restoreHash(state)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(s.tailPath(rec.ID, rec.TailGen), os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("upload tail: %w", err)
	}
	// Bytes past the committed ones are left from a chunk that failed or
	// a portal that was killed: they do not count.
	if err := f.Truncate(rec.TailLen); err != nil {
		f.Close()
		return nil, fmt.Errorf("upload tail: %w", err)
	}
	return &chunk{s: s, ctx: ctx, rec: rec, whole: whole, parts: slices.Clone(rec.Parts), inherited: h,
		hash: hs, hashState: rec.SHA256, tail: f, tailGen: rec.TailGen, tailLen: rec.TailLen}, nil
}

func (c *chunk) close() { c.tail.Close() }

// offset is where the upload stands for this chunk: committed bytes, the
// parts sent and the tail.
func (c *chunk) offset() int64 {
	n := c.tailLen
	for _, p := range c.parts {
		n += p.Size
	}
	if c.inherited != nil {
		n += c.inherited.f.size
	}
	if c.flying != nil {
		n += c.flying.size
	}
	return n
}

// partSize is the size of a full part. Parts below it (but at least
// minPart) are sent only when a chunk ends with them.
func (c *chunk) partSize() int64 { return max(c.s.partSize, c.minPart()) }

// minPart keeps within S3's limits: every part but the last at least 5
// MiB, and few enough of them for the whole file.
func (c *chunk) minPart() int64 {
	return max(media.MinPartSize, (c.rec.Length+media.MaxParts-2)/(media.MaxParts-1))
}

// writeKnown sends a chunk of n bytes; end: it brings the file's last byte.
// Whole parts stream straight from body; what cannot be a part yet goes to
// the tail.
func (c *chunk) writeKnown(body io.Reader, n int64, end bool) error {
	if c.rec.UploadID == "" {
		need := min(media.SniffLen, c.rec.Length)
		if c.tailLen+n >= need {
			// Read the head now; body yields it again.
			peek := make([]byte, need-min(c.tailLen, need))
			if _, err := io.ReadFull(body, peek); err != nil {
				return err
			}
			body = io.MultiReader(bytes.NewReader(peek), body)
			head, err := c.tailHead(need)
			if err != nil {
				return err
			}
			if err := c.begin(append(head, peek...)); err != nil {
				return err
			}
		}
	}
	left := n // bytes of body not yet read
	for {
		avail := c.tailLen + left
		var size int64
		switch {
		case avail >= c.partSize():
			size = c.partSize()
		case end && avail > 0:
			size = avail // the last part may be any size
		case !end && avail >= c.minPart():
			size = avail
		}
		if size == 0 {
			break
		}
		fromBody := size - c.tailLen
		if err := c.sendPart(io.LimitReader(body, fromBody), size); err != nil {
			return err
		}
		left -= fromBody
	}
	if left > 0 {
		got, err := c.appendTail(body, left)
		if err == nil && got < left {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	return nil
}

// writeUnknown sends a chunk of unknown length (body is limited to
// remaining+1 bytes, to tell one that runs long): it fills the tail up to
// a whole part and sends that, until the body ends.
func (c *chunk) writeUnknown(body io.Reader, remaining int64) error {
	var got int64
	for {
		room := c.partSize() - c.tailLen
		n, err := c.appendTail(body, room)
		got += n
		if err != nil {
			return err
		}
		if got > remaining {
			return ErrTooLong
		}
		end := got == remaining
		if c.rec.UploadID == "" {
			need := min(media.SniffLen, c.rec.Length)
			if c.tailLen >= need {
				head, err := c.tailHead(need)
				if err != nil {
					return err
				}
				if err := c.begin(head); err != nil {
					return err
				}
			}
		}
		if c.tailLen == c.partSize() || end && c.tailLen > 0 {
			if err := c.sendPart(nil, c.tailLen); err != nil {
				return err
			}
		}
		if n < room {
			return nil // the body ended
		}
	}
}

// tailHead reads the first bytes of the file from the tail, where they are
// while no part is stored.
func (c *chunk) tailHead(need int64) ([]byte, error) {
	head := make([]byte, min(need, c.tailLen))
	if _, err := c.tail.ReadAt(head, 0); err != nil {
		return nil, fmt.Errorf("upload tail: %w", err)
	}
	return head, nil
}

// begin checks the file's first bytes and starts the S3 upload of the
// object the Target names. The description records it at once, so a
// cancel or sweep can abort it.
func (c *chunk) begin(head []byte) error {
	key, kind, err := c.s.target.BeginUpload(c.ctx, c.rec.Slug, c.rec.Kind, head)
	if err != nil {
		return err
	}
	uploadID, err := c.s.objects.NewMultipart(c.ctx, key, kind.ContentType)
	if err != nil {
		return err
	}
	rec := c.rec
	rec.Key, rec.ContentType, rec.UploadID = key, kind.ContentType, uploadID
	if err := c.s.write(rec); err != nil {
		_ = c.s.objects.AbortUpload(context.WithoutCancel(c.ctx), key, uploadID)
		return err
	}
	c.rec = rec
	return nil
}

// sendPart sends the next part: the tail's bytes, then size minus those
// from body. It returns once S3 has read the part's bytes (joining the
// part before, which is then committed unless the chunk is whole); the
// part stays in flight, except one made of tail bytes: the tail file is
// only free again once they are stored.
func (c *chunk) sendPart(body io.Reader, size int64) error {
	number := len(c.parts) + 1
	if c.inherited != nil {
		number++
	}
	if c.flying != nil {
		number++
	}
	if number > media.MaxParts {
		return fmt.Errorf("upload %s: more than %d parts", c.rec.ID, media.MaxParts)
	}
	r := io.Reader(io.NewSectionReader(c.tail, 0, c.tailLen))
	if body != nil {
		r = io.MultiReader(r, body)
	}
	f := c.s.fly(c.ctx, c.rec, number, io.TeeReader(r, c.hash), size)
	if err := f.sent(); err != nil {
		c.abandon(f)
		return err
	}
	state, err := c.hash.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		c.abandon(f)
		return err
	}
	f.hash, f.fromTail = state, c.tailLen > 0
	if err := c.join(); err != nil { // the parts before
		c.abandon(f)
		return err
	}
	c.flying = f
	if f.fromTail {
		return c.join()
	}
	return nil
}

// join waits for the parts in flight, the inherited one first, and adds
// them to the chunk's parts (committed at once unless the chunk is whole).
// An inherited part that failed leaves a gap the client must fill again:
// errLostPart.
func (c *chunk) join() error {
	if h := c.inherited; h != nil {
		c.inherited = nil
		rec, err := c.s.settle(h)
		if err != nil {
			c.abandon(c.flying)
			c.flying = nil
			return fmt.Errorf("%w: %w", errLostPart, err)
		}
		c.rec, c.parts, c.hashState = rec, slices.Clone(rec.Parts), rec.SHA256
	}
	f := c.flying
	if f == nil {
		return nil
	}
	c.flying = nil
	if err := f.landed(); err != nil {
		return err
	}
	c.parts, c.hashState = append(c.parts, f.part), f.hash
	if f.fromTail {
		c.tailLen = 0
	}
	if !c.whole {
		if err := c.commit(); err != nil {
			return err
		}
	}
	if !f.fromTail {
		return nil
	}
	if c.whole && !c.fresh {
		// Until this chunk is committed the description still counts the
		// bytes of the committed tail file: new ones go to another.
		t, err := os.OpenFile(c.s.tailPath(c.rec.ID, c.rec.TailGen+1), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o640)
		if err != nil {
			return fmt.Errorf("upload tail: %w", err)
		}
		c.tail.Close()
		c.tail, c.tailGen, c.fresh = t, c.rec.TailGen+1, true
		return nil
	}
	return c.tail.Truncate(0)
}

// abandon stops a part that will not be joined and waits for it, so
// nothing reads the request body after the chunk returns.
func (c *chunk) abandon(f *flight) {
	if f != nil {
		f.cancel()
		<-f.done
	}
}

// land joins every part in flight, or, after an error, waits for them.
func (c *chunk) land(failed bool) error {
	if failed {
		if c.inherited != nil {
			if rec, err := c.s.settle(c.inherited); err == nil {
				c.rec = rec
			}
			c.inherited = nil
		}
		c.abandon(c.flying)
		c.flying = nil
		return nil
	}
	return c.join()
}

// appendTail adds up to max bytes of r to the tail.
func (c *chunk) appendTail(r io.Reader, max int64) (int64, error) {
	n, err := io.Copy(io.NewOffsetWriter(c.tail, c.tailLen), io.LimitReader(r, max))
	c.tailLen += n
	if err != nil {
		return n, err
	}
	return n, nil
}

// commit records the parts and tail as they stand.
func (c *chunk) commit() error {
	rec := c.rec
	rec.Parts, rec.SHA256, rec.TailGen, rec.TailLen = slices.Clone(c.parts), c.hashState, c.tailGen, c.tailLen
	if rec.TailLen == c.rec.TailLen && rec.TailGen == c.rec.TailGen && len(rec.Parts) == len(c.rec.Parts) {
		return nil // nothing new
	}
	if err := c.s.write(rec); err != nil {
		return err
	}
	old := c.rec.TailGen
	c.rec, c.fresh = rec, false
	if old != rec.TailGen {
		_ = os.Remove(c.s.tailPath(rec.ID, old))
	}
	return nil
}

// rollback forgets a whole chunk that failed: its parts are not recorded
// (S3 drops parts the completion does not list, and a number sent again
// replaces its part) and its tail bytes are cut off.
func (c *chunk) rollback() {
	if c.fresh {
		c.tail.Close()
		_ = os.Remove(c.s.tailPath(c.rec.ID, c.tailGen))
		return
	}
	_ = c.tail.Truncate(c.rec.TailLen) // or the next chunk does
}
