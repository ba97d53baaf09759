package integrity

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// ProblemKind names what is wrong with an object.
type ProblemKind string

const (
	// Missing: the metadata refers to an object that does not exist.
	Missing ProblemKind = "missing"
	// SizeMismatch: the object's size differs from the metadata's.
	SizeMismatch ProblemKind = "size"
	// ChecksumMismatch: same size, different SHA-256: the bytes changed.
	ChecksumMismatch ProblemKind = "checksum"
	// Empty: an object without a recorded size (a poster) has no bytes.
	Empty ProblemKind = "empty"
	// Unreadable: the object could not be read to the end.
	Unreadable ProblemKind = "unreadable"
	// Shared: two references name the same object, so deleting one
	// webinar (or replacing one file) would take it from the other.
	Shared ProblemKind = "shared"
	// Orphan: an object under ObjectPrefix that no webinar refers to.
	Orphan ProblemKind = "orphan"
)

// Problem is one thing Verify found wrong.
type Problem struct {
	Kind   ProblemKind
	Key    string
	Ref    *webinar.ObjectRef // the metadata's reference; nil for orphans
	Detail string
}

func (p Problem) String() string {
	s := fmt.Sprintf("%-10s %s", p.Kind, p.Key)
	if p.Ref != nil {
		s += fmt.Sprintf(" (%s of webinar %q, id %s)", p.Ref.Role, p.Ref.Slug, p.Ref.WebinarID)
	}
	return s + ": " + p.Detail
}

// VerifyReport is what Verify found.
type VerifyReport struct {
	Verified int // objects the metadata refers to, each checked
	Bytes    int64
	Problems []Problem
}

// Write prints one line per problem and a summary line.
func (r VerifyReport) Write(w io.Writer) error {
	for _, p := range r.Problems {
		if _, err := fmt.Fprintln(w, p); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "verified %d objects, %d problems\n", r.Verified, len(r.Problems))
	return err
}

// Verify reads every object the webinar metadata refers to through SHA-256
// and compares its size and checksum with the metadata (posters, which have
// neither recorded, only need to exist and not be empty), and lists the
// objects under ObjectPrefix that no webinar refers to. Problems go in the
// report; the error is for a check that could not be made (storage or
// database unreachable, ctx cancelled).
//
// Run while the portal is stopped, or expect an upload in progress to show
// up as an orphan (its object is stored before its metadata).
func (c *Checker) Verify(ctx context.Context) (VerifyReport, error) {
	var rep VerifyReport
	inv, err := c.readInventory(ctx)
	if err != nil {
		return rep, err
	}
	refs := make([]webinar.ObjectRef, 0, len(inv.refs))
	for _, ref := range inv.refs {
		refs = append(refs, ref)
	}
	slices.SortFunc(refs, func(a, b webinar.ObjectRef) int { return cmp.Compare(a.Key, b.Key) })
	for _, ref := range refs {
		n, problem, err := c.verifyObject(ctx, ref)
		if err != nil {
			return rep, err
		}
		rep.Verified++
		rep.Bytes += n
		if problem != nil {
			rep.Problems = append(rep.Problems, *problem)
		}
	}
	for _, ref := range inv.dupRefs {
		first := inv.refs[ref.Key]
		rep.Problems = append(rep.Problems, Problem{Kind: Shared, Key: ref.Key, Ref: &ref,
			Detail: fmt.Sprintf("also the %s of webinar %q, id %s", first.Role, first.Slug, first.WebinarID)})
	}

	objects, err := c.objects.List(ctx, ObjectPrefix)
	if err != nil {
		return rep, err
	}
	for _, obj := range objects {
		if _, ok := inv.refs[obj.Key]; !ok {
			rep.Problems = append(rep.Problems, Problem{Kind: Orphan, Key: obj.Key,
				Detail: fmt.Sprintf("no webinar refers to it (%d bytes, modified %s)",
					obj.Size, obj.LastModified.UTC().Format(time.RFC3339))})
		}
	}
	return rep, nil
}

// verifyObject checks one referenced object. It returns the bytes read and
// the problem found, if any; the error is for ctx ending.
func (c *Checker) verifyObject(ctx context.Context, ref webinar.ObjectRef) (int64, *Problem, error) {
	problem := func(kind ProblemKind, format string, args ...any) *Problem {
		return &Problem{Kind: kind, Key: ref.Key, Ref: &ref, Detail: fmt.Sprintf(format, args...)}
	}
	if ref.Key == "" {
		return 0, problem(Missing, "the metadata names no object"), nil
	}
	if ref.SHA256 == "" && ref.Size < 0 {
		obj, err := c.objects.Stat(ctx, ref.Key)
		switch {
		case ctx.Err() != nil:
			return 0, nil, ctx.Err()
		case errors.Is(err, media.ErrNotFound):
			return 0, problem(Missing, "no such object"), nil
		case err != nil:
			return 0, problem(Unreadable, "%v", err), nil
		case obj.Size == 0:
			return 0, problem(Empty, "the object has no bytes"), nil
		}
		return obj.Size, nil, nil
	}

	body, err := c.objects.Get(ctx, ref.Key, 0, -1)
	switch {
	case ctx.Err() != nil:
		return 0, nil, ctx.Err()
	case errors.Is(err, media.ErrNotFound):
		return 0, problem(Missing, "no such object"), nil
	case err != nil:
		return 0, problem(Unreadable, "%v", err), nil
	}
	defer body.Close()
	h := sha256.New()
	n, err := io.Copy(h, body)
	if err != nil {
		if ctx.Err() != nil {
			return n, nil, ctx.Err()
		}
		return n, problem(Unreadable, "read failed after %d bytes: %v", n, err), nil
	}
	if ref.Size >= 0 && n != ref.Size {
		return n, problem(SizeMismatch, "%d bytes, the metadata says %d", n, ref.Size), nil
	}
	if sum := hex.EncodeToString(h.Sum(nil)); ref.SHA256 != "" && sum != ref.SHA256 {
		return n, problem(ChecksumMismatch, "SHA-256 %s, the metadata says %s", sum, ref.SHA256), nil
	}
	return n, nil, nil
}
