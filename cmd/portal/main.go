// Command portal runs SmåKom's webinar archive and its admin commands.
//
//	portal [serve] [--demo]                 run the web portal (default)
//	portal user add --email E --role R --password-stdin [--municipality M]
//	portal user passwd --email E --password-stdin
//	portal user role --email E --role R     change a role (ends the user's sessions)
//	portal token create --email E --name N  print a staff API token
//	portal token list | revoke --ref R      list or revoke API tokens
//	portal verify                           check every object against its metadata
//	portal sweep [--dry-run] [--grace 24h]  remove leftovers of crashed uploads
//	portal reindex                          rebuild the search index
//	portal backup --out FILE                write the whole store into one archive
//	portal restore FILE                     load an archive into an empty store
//	portal mail test --to ADDR              send a test mail through SMTP_HOST
//
// With no MONGODB_URI and S3_ENDPOINT it runs embedded MongoDB-wire and S3
// servers with data under DATA_DIR (./storage).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(os.Stderr, "portal:", err)
			fmt.Fprint(os.Stderr, usage)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "portal:", err)
		os.Exit(1)
	}
}

const usage = `
Usage:
  portal [serve] [--demo]       run the portal (--demo loads demo webinars into an empty store)
  portal user add --email E --role admin|staff|member --password-stdin [--municipality M]
  portal user passwd --email E --password-stdin
  portal user role --email E --role admin|staff|member
                                change an account's role; its sessions end (at least one admin stays)
  portal token create --email E --name N
  portal token list             list API tokens (reference, name, user, created)
  portal token revoke --ref R   revoke a token at once (R: its reference from token list)
  portal verify                 re-read every object and compare size and SHA-256 with the
                                metadata; list orphaned and missing objects (fails on problems)
  portal sweep [--dry-run] [--grace 24h]
                                abort unfinished uploads and remove orphaned objects and
                                subtitle tracks older than the grace period
  portal reindex                rebuild the search index (DATA_DIR/search) from the database
  portal backup --out FILE      write every collection (but sessions) and every object into one
                                archive with SHA-256 sums (FILE.tar; FILE.tar.gz or .tgz: gzip);
                                works while the portal runs, also on the embedded default
  portal restore FILE           load an archive (FILE, or - for standard input) into an EMPTY
                                store, checking every sum; on any error nothing is left restored
  portal mail test --to ADDR    send a test mail with the SMTP_ settings and say how it went
Configuration comes from the environment; see README.md.
`

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(ctx context.Context, args []string) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	} else if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		cmd = "help"
	}
	switch cmd {
	case "serve":
		return serve(ctx, args)
	case "user":
		return userCommand(ctx, args)
	case "token":
		return tokenCommand(ctx, args)
	case "verify":
		return verifyCommand(ctx, args)
	case "sweep":
		return sweepCommand(ctx, args)
	case "reindex":
		return reindexCommand(ctx, args)
	case "backup":
		return backupCommand(ctx, args)
	case "restore":
		return restoreCommand(ctx, args)
	case "mail":
		return mailCommand(ctx, args)
	case "help":
		fmt.Print(usage)
		return nil
	}
	return usageError{fmt.Sprintf("unknown command %q", cmd)}
}
