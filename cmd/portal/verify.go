package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/smakom/webinar-portal/internal/integrity"
)

// newChecker builds the integrity checker over the stack's bucket and database.
func newChecker(st *stack) *integrity.Checker {
	return integrity.New(st.objects, st.webinars.Store(), integrity.SubtitleTracks(st.db)).WithResumable(st.uploads)
}

// verifyCommand re-reads every object the metadata refers to and reports
// what does not match; problems make it fail (exit status 1).
func verifyCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("verify: unexpected argument %q", fs.Arg(0))}
	}
	st, err := adminStack(ctx)
	if err != nil {
		return err
	}
	defer st.close()
	rep, err := newChecker(st).Verify(ctx)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if err := rep.Write(os.Stdout); err != nil {
		return err
	}
	if n := len(rep.Problems); n > 0 {
		return fmt.Errorf("verify: %d problems found", n)
	}
	return nil
}
