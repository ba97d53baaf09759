package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/smakom/webinar-portal/internal/integrity"
)

// sweepCommand removes leftovers older than the grace period, or with
// --dry-run lists what it would remove.
func sweepCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	dryRun := fs.Bool("dry-run", false, "list what would be removed and remove nothing")
	grace := fs.Duration("grace", integrity.DefaultGrace,
		"remove only leftovers older than this; younger ones may belong to uploads in progress")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("sweep: unexpected argument %q", fs.Arg(0))}
	}
	if *grace < 0 {
		return usageError{fmt.Sprintf("sweep: --grace %s is negative", *grace)}
	}
	st, err := adminStack(ctx)
	if err != nil {
		return err
	}
	defer st.close()
	rep, sweepErr := newChecker(st).Sweep(ctx, integrity.SweepOptions{Grace: *grace, DryRun: *dryRun})
	// What was removed before a failure is still worth printing.
	if err := rep.Write(os.Stdout); err != nil {
		return errors.Join(sweepErr, err)
	}
	if sweepErr != nil {
		return fmt.Errorf("sweep: %w", sweepErr)
	}
	return nil
}
