package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/smakom/webinar-portal/internal/backup"
)

// backupCommand writes the whole store into one archive: a plain tar, or
// gzip-compressed when the name ends in .tar.gz or .tgz. It works against
// a running portal's external servers, a running portal's embedded ones
// (through DATA_DIR/run.json) or a stopped embedded store.
func backupCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	out := fs.String("out", "", "archive to write: FILE.tar, or FILE.tar.gz / FILE.tgz for gzip")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("backup: unexpected argument %q", fs.Arg(0))}
	}
	if *out == "" {
		return usageError{"backup: --out FILE is required"}
	}
	// The embedded S3 server moves the working directory: resolve first.
	path, err := filepath.Abs(*out)
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s already exists; choose another name", path)
	}
	st, err := onlineStack(ctx)
	if err != nil {
		return err
	}
	defer st.close()

	// Written beside the target and renamed at the end, so a file with
	// the archive's name is always a whole archive.
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(f.Name()) // fails harmlessly after the rename
	defer f.Close()
	start := time.Now()
	m, err := backup.Write(ctx, f, backup.Store{DB: st.db, Objects: st.objects}, backup.Options{
		Gzip: isGzipName(path), PortalVersion: portalVersion(), Progress: byteProgress(os.Stderr)})
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	for _, key := range m.Vanished {
		fmt.Fprintf(os.Stderr, "Objektet %s togs bort medan kopian gjordes och finns inte med (inget webbinarium pekar på det).\n", key)
	}
	tot := m.Totals()
	fmt.Printf("Säkerhetskopian %s är klar: %d samlingar (%d dokument), %d objekt (%s); arkivet är %s; tog %s.\n",
		path, tot.Collections, tot.Documents, tot.Objects, formatBytes(tot.ObjectBytes), formatBytes(info.Size()),
		time.Since(start).Round(time.Millisecond))
	if len(m.Missing) > 0 {
		// The archive is kept (it holds everything else), but a script
		// running backups must notice.
		return fmt.Errorf("backup: %s lacks %d objects that webinars name: %s\n"+
			"They were deleted while the backup ran (e.g. a replaced recording: run the backup again) "+
			"or were missing before (see portal verify).", path, len(m.Missing), strings.Join(m.Missing, ", "))
	}
	return nil
}

// restoreCommand loads an archive into an empty store.
func restoreCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() != 1 {
		return usageError{"restore: expected one archive file: portal restore FILE (- for standard input)"}
	}
	// "-" reads standard input, e.g. piped into a container.
	path, archive, size := "-", io.Reader(os.Stdin), int64(0)
	if fs.Arg(0) != "-" {
		var err error
		if path, err = filepath.Abs(fs.Arg(0)); err != nil {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		archive, size = f, info.Size()
	}
	st, err := adminStack(ctx)
	if err != nil {
		return err
	}
	defer st.close()

	start := time.Now()
	in := &readProgress{r: archive, total: size, report: byteProgress(os.Stderr)}
	m, err := backup.Restore(ctx, in, backup.Store{DB: st.db, Objects: st.objects}, backup.RestoreOptions{})
	fmt.Fprintln(os.Stderr)
	if errors.Is(err, backup.ErrNotEmpty) {
		return fmt.Errorf("restore: %w.\nA restore only goes into an empty store: a new DATA_DIR, or an empty database and bucket (MONGODB_DATABASE, S3_BUCKET).", err)
	}
	if err != nil {
		return fmt.Errorf("restore: %w\nNothing was restored: what had been written is removed again.", err)
	}
	for _, key := range m.Missing {
		fmt.Fprintf(os.Stderr, "Objektet %s saknades när kopian gjordes: webbinariet som pekar på det saknar filen (portal verify visar dem).\n", key)
	}
	tot := m.Totals()
	fmt.Printf("Återställt från %s (gjord %s, portal %s): %d samlingar (%d dokument), %d objekt (%s); tog %s.\n"+
		"Inloggningar (sessioner) följer inte med: alla loggar in på nytt. Portalen bygger sökindexet själv (vid start, eller inom några sekunder om den redan kör).\n",
		path, m.CreatedAt.Format(time.RFC3339), m.PortalVersion, tot.Collections, tot.Documents, tot.Objects,
		formatBytes(tot.ObjectBytes), time.Since(start).Round(time.Millisecond))
	return logCommand(ctx, st, "återställde säkerhetskopian "+filepath.Base(path), "restore", args)
}

func isGzipName(path string) bool {
	lower := strings.ToLower(path)
	return strings.HasSuffix(lower, ".tar.gz") || strings.HasSuffix(lower, ".tgz")
}

// portalVersion names the build: module version and VCS revision when
// the binary carries them.
func portalVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v += " " + s.Value
		case "vcs.modified":
			if s.Value == "true" {
				v += " (modified)"
			}
		}
	}
	return v
}

// readProgress reports the bytes read from an archive file.
type readProgress struct {
	r           io.Reader
	done, total int64
	report      backup.Progress
}

func (p *readProgress) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.done += int64(n)
	p.report(p.done, p.total)
	return n, err
}

// byteProgress draws "[#####     ]  1.2 GiB / 2.4 GiB" on one line,
// redrawn only when a tenth of a percent has passed. With no total (a
// pipe) it shows the bytes done, redrawn each MiB.
func byteProgress(w io.Writer) backup.Progress {
	last := int64(-1)
	return func(done, total int64) {
		step := done >> 20
		if total > 0 {
			step = done * 1000 / total
		}
		if step == last {
			return
		}
		last = step
		if total <= 0 {
			fmt.Fprintf(w, "\r%s   ", formatBytes(done))
			return
		}
		fmt.Fprintf(w, "\r%s %s / %s   ", bar(done, total), formatBytes(done), formatBytes(total))
	}
}

func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
